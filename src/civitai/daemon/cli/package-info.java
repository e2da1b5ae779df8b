/**
 * Command-line tools beside the daemon: {@code token} prints an API token.
 */
package civitai.daemon.cli;
