package civitai.daemon.config;

/**
 * Which file of a version to take when no {@code fileId} is given ({@code file_preferences} in
 * config.json, e.g. {@code {"format": "SafeTensor", "fp": "fp16", "size": "pruned"}}): the model
 * file matching the most of them (format counts most, then fp, then size), the primary file on a
 * tie. Each may be null. Immutable.
 */
public record FilePreferences(String format, String fp, String size) {
    public static final FilePreferences NONE = new FilePreferences(null, null, null);

    public boolean isEmpty() {
        return format == null && fp == null && size == null;
    }
}
