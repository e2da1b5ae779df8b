/**
 * manifest.json: reading and validating entries, each checked on its own so one bad entry never
 * stops the others.
 */
package civitai.daemon.manifest;
