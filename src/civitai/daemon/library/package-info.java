/**
 * The library: an index of every model file under the library's roots ({@code download_dir} and
 * {@code library_roots}) with its size, mtime, inode and SHA-256, kept by scans that hash only
 * what changed; identification on Civitai by hash; duplicates by SHA-256 (hard links are one
 * file) and their replacement by hard links on request. A root other than {@code download_dir}
 * is never written. Knows no JSON: the {@code http} layer and {@code civitai} speak it.
 */
package civitai.daemon.library;
