/**
 * API tokens shared by the server (which verifies them) and the command-line client (which signs
 * its own): HS256 JWTs and the two roles, viewer and admin.
 */
package civitai.daemon.auth;
