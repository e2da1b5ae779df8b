/**
 * The sealed family of job events, the in-process bus that delivers them, their lines in
 * download.log, and the notifications they cause: the signed webhook, Telegram, ntfy and Discord
 * targets, each formatting its own request, behind one persistent, retried delivery log.
 */
package civitai.daemon.events;
