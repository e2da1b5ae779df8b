/**
 * Which byte ranges of a job's {@code .part} are on disk ({@code RangeJournal}, the
 * {@code part_ranges} table), and the merged set of byte ranges every holder of ranges means the
 * same by ({@code ByteRanges}). Imports {@code store} alone; the engine's part file and segments
 * use it.
 */
package civitai.daemon.store.journal;
