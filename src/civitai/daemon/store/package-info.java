/**
 * SQLite (completed.db): the connection, schema migrations by PRAGMA user_version, and the job and attempt records every other part works from.
 */
package civitai.daemon.store;
