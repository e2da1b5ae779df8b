/**
 * The sealed family of events (a job's life, the update checker's findings), the in-process bus
 * that delivers them, their lines in download.log, and the server-sent event stream with replay.
 * Knows no subscriber beyond its own: the root wires {@code notify} onto the bus.
 */
package civitai.daemon.events;
