/**
 * What every route stands on: the router (roles, host check, the one error boundary that answers
 * in the API's JSON error shape and never names an exception class), a request and its bounded
 * JSON body, a reply, the request-line check and trusted-proxy forwarding. Imports no route.
 */
package civitai.daemon.http.server;
