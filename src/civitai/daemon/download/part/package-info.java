/**
 * The part file of one download: positional writes from any number of connections, SHA-256 of
 * the contiguous prefix in the same pass ({@code InOrderHasher}, bytes ahead read back once the
 * prefix reaches them), fsync, reset and truncation; what stands at a part's name before it is
 * opened ({@code PartOnDisk}: its size, a link removed, a cut back to a trusted prefix); the
 * buffers every download shares
 * ({@link civitai.daemon.download.part.BufferBudget}); a disk failure with what it means
 * ({@link civitai.daemon.download.part.DiskException}); whether the range journal describes the
 * part ({@link civitai.daemon.download.part.JournalClaim}); and placing a file: a verified part
 * into place ({@code Placement}), or a copy the library already has ({@code LibraryReuse}). Knows
 * nothing of HTTP or jobs, and of the store only {@code store.journal.ByteRanges} and
 * {@code store.journal.RangeJournal}; the engine ({@code download}) drives it.
 */
package civitai.daemon.download.part;
