/**
 * {@code /api/library}: the indexed files, scans, duplicates and dedupe, and the disk use (free
 * space per file system, the library per type) that status and metrics show.
 */
package civitai.daemon.http.library;
