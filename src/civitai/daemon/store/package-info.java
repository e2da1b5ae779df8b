/**
 * The SQLite file (completed.db) itself: opening it private to its owner, the pragmas, the one
 * lock every statement runs under, transactions, the schema's migrations by
 * {@code PRAGMA user_version} (the library's tables included), the prepared-statement helpers,
 * and the two failures a caller sees ({@code StoreException}, {@code DatabaseFull}). What the
 * tables mean is in the sub-packages: {@code store.jobs} (jobs, attempts, the writes held while
 * the disk is full), {@code store.journal} (which bytes of a part are on disk) and
 * {@code store.deliveries} (the notification log). Imports {@code log} and sqlite-jdbc, nothing
 * else of the daemon and none of its sub-packages.
 */
package civitai.daemon.store;
