/**
 * The download engine: the persistent priority queue, one attempt at a job (redirects, Range resume, hashing as bytes arrive, verification, atomic rename), retry policy, bandwidth cap and the watchdog for stalls and timeouts.
 */
package civitai.daemon.download;
