package civitai.daemon.config;

import com.eclipsesource.json.JsonValue;

/**
 * What a download must leave free on its file system: a number of bytes, or a percentage of the
 * file system's size ({@code "5%"}). Default 2 GiB.
 */
public record MinFreeSpace(long bytes, int percent) {
    public static final MinFreeSpace DEFAULT = new MinFreeSpace(2L << 30, 0);

    /** The bytes to keep free on a file system of {@code total} bytes. */
    public long of(long total) {
        return percent > 0 ? total / 100 * percent : bytes;
    }

    static MinFreeSpace read(JsonValue v) throws ConfigException {
        if (v == null || v.isNull()) {
            return DEFAULT;
        }
        if (v.isNumber() && v.asDouble() >= 0 && v.asDouble() == Math.rint(v.asDouble())) {
            return new MinFreeSpace(v.asLong(), 0);
        }
        if (v.isString() && v.asString().matches("[0-9]{1,2}%")) {
            return new MinFreeSpace(0, Integer.parseInt(v.asString()
                    .substring(0, v.asString().length() - 1)));
        }
        throw new ConfigException("config key \"min_free_space\" is " + v
                + "; expected a number of bytes (2147483648) or a percentage of the file"
                + " system (\"5%\")");
    }
}
