/**
 * What the library knows of each file: the {@code library_files} table behind
 * {@link civitai.daemon.library.index.LibraryIndex} (a file's path, root, size, mtime, inode,
 * SHA-256 and what Civitai said of it), the rows it is read into ({@code LibraryFile}), the
 * roots ({@code Root}) and the files a walk found ({@code Found}) that rows are written from, and
 * the API's reads ({@code LibraryQuery}: a page, the duplicate groups, the totals). Duplicates
 * are one SHA-256 on more than one inode: hard links are one file. May import {@code store} (the
 * one database) and {@code civitai}'s {@code HashLookup} values; never {@code library}, which
 * fills it.
 */
package civitai.daemon.library.index;
