/**
 * manifest.json: reading and validating entries, each checked on its own so one bad entry never
 * stops the others; writing it back atomically as entries are added or updated, and what an update
 * does to an entry ({@code EntryUpgrade}: replace or append, the entry's update policy).
 */
package civitai.daemon.manifest;
