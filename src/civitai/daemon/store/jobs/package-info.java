/**
 * Jobs and their attempts as stored: the values the rest of the daemon speaks ({@code Job},
 * {@code JobSpec}, {@code JobState}), the one mapping from a row, the store that changes them
 * ({@code JobStore}, with what a start puts right in {@code JobRecovery}) and the queries that
 * read them ({@code JobReads}, {@code JobHistory}), the
 * target keys the supersede rule compares ({@code TargetKeys}, a rule the root hands in), and
 * the writes held in memory while the disk is full with what they do to a job as read
 * ({@code HeldWrites}, {@code JobChanges}). The overlay stays here because each of its effects
 * mirrors one of the store's UPDATEs. Imports {@code store} alone.
 */
package civitai.daemon.store.jobs;
