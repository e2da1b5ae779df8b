package civitai.daemon.config;

/**
 * How an update rewrites manifest.json ({@code manifest_mode}): {@code REPLACE} swaps the entry
 * for the new one, {@code APPEND} keeps the old entry and adds the new one beside it.
 */
public enum ManifestMode {
    REPLACE, APPEND
}
