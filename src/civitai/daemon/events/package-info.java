/**
 * The sealed family of job events, the in-process bus that delivers them, and their lines in download.log.
 */
package civitai.daemon.events;
