/**
 * The library's work on disk: scans of the library's roots ({@code download_dir} and
 * {@code library_roots}) that walk them, hash only what changed and report their progress;
 * identification on Civitai by hash; the model type a file's folders say; and the replacement of
 * duplicates by hard links on request. A root other than {@code download_dir} is never written.
 * What is known of each file is kept in {@code library.index}, the one package below this one;
 * this package may also import {@code civitai} (the lookup by hash), {@code target} (the layouts)
 * and {@code events}. Knows no JSON: the {@code http} layer and {@code civitai} speak it.
 */
package civitai.daemon.library;
