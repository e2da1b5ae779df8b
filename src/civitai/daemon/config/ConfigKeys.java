package civitai.daemon.config;

import com.eclipsesource.json.JsonObject;
import com.eclipsesource.json.JsonValue;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/** Typed reads of one config object's keys; each failure names the key, the value and the rule. */
final class ConfigKeys {
    private final JsonObject json;

    ConfigKeys(JsonObject json) {
        this.json = json;
    }

    private JsonValue present(String key) {
        JsonValue value = json.get(key);
        return value == null || value.isNull() ? null : value;
    }

    private static ConfigException bad(String key, JsonValue value, String expected) {
        return new ConfigException("config key \"" + key + "\" is " + value + "; expected "
                + expected);
    }

    Duration seconds(String key, double fallback, double min, double max) throws ConfigException {
        JsonValue value = present(key);
        if (value == null) {
            return ConfigLoader.ofSeconds(fallback);
        }
        String expected = "a number of seconds from " + plain(min) + " to " + plain(max);
        if (!value.isNumber()) {
            throw bad(key, value, expected);
        }
        double seconds = value.asDouble();
        if (!(seconds >= min && seconds <= max)) {
            throw bad(key, value, expected);
        }
        return ConfigLoader.ofSeconds(seconds);
    }

    double number(String key, double fallback, double min, double max) throws ConfigException {
        JsonValue value = present(key);
        if (value == null) {
            return fallback;
        }
        if (!value.isNumber() || !(value.asDouble() >= min && value.asDouble() <= max)) {
            throw bad(key, value, "a number from " + plain(min) + " to " + plain(max));
        }
        return value.asDouble();
    }

    long integer(String key, long fallback, long min, long max) throws ConfigException {
        Long value = optionalLong(key, min, max);
        return value == null ? fallback : value;
    }

    Integer optionalInteger(String key, long min, long max) throws ConfigException {
        Long value = optionalLong(key, min, max);
        return value == null ? null : Math.toIntExact(Math.min(value, Integer.MAX_VALUE));
    }

    private Long optionalLong(String key, long min, long max) throws ConfigException {
        JsonValue value = present(key);
        if (value == null) {
            return null;
        }
        String expected = "a whole number from " + min + " to " + max;
        if (!value.isNumber()) {
            throw bad(key, value, expected);
        }
        long number;
        try {
            number = value.asLong();
        } catch (NumberFormatException e) {
            throw bad(key, value, expected);
        }
        if (number < min || number > max) {
            throw bad(key, value, expected);
        }
        return number;
    }

    boolean bool(String key, boolean fallback) throws ConfigException {
        JsonValue value = present(key);
        if (value == null) {
            return fallback;
        }
        if (!value.isBoolean()) {
            throw bad(key, value, "true or false");
        }
        return value.asBoolean();
    }

    String optionalString(String key) throws ConfigException {
        JsonValue value = present(key);
        if (value == null) {
            return null;
        }
        if (!value.isString()) {
            throw bad(key, value, "a string");
        }
        return value.asString();
    }

    String string(String key, String fallback) throws ConfigException {
        String value = optionalString(key);
        if (value == null) {
            return fallback;
        }
        if (value.isBlank() || value.indexOf('\0') >= 0) {
            throw bad(key, json.get(key), "a non-empty string");
        }
        return value;
    }

    /** One of an enum's constants, spelled in config.json as its name in lower case. */
    <E extends Enum<E>> E oneOf(String key, E fallback) throws ConfigException {
        E[] constants = fallback.getDeclaringClass().getEnumConstants();
        List<String> allowed = Arrays.stream(constants).map(ConfigKeys::spelling).toList();
        int index = allowed.indexOf(string(key, spelling(fallback)));
        if (index < 0) {
            throw bad(key, json.get(key), "one of " + allowed);
        }
        return constants[index];
    }

    private static String spelling(Enum<?> constant) {
        return constant.name().toLowerCase(Locale.ROOT);
    }

    /** A list of host names, each optionally with {@code :port}; lower-cased. */
    List<String> hostList(String key) throws ConfigException {
        JsonValue value = present(key);
        if (value == null) {
            return List.of();
        }
        String expected = "a list of host names such as [\"models.example.org\", \"nas:8443\"]";
        if (!value.isArray()) {
            throw bad(key, value, expected);
        }
        List<String> hosts = new ArrayList<>();
        for (JsonValue item : value.asArray()) {
            if (!item.isString() || !HOST.matcher(item.asString()).matches()) {
                throw bad(key, value, expected + " (" + item + " is not one)");
            }
            hosts.add(item.asString().toLowerCase(Locale.ROOT));
        }
        return hosts;
    }

    /** A list of folders, relative ones resolved against {@code base}; absolute and normalised. */
    List<Path> folders(String key, Path base) throws ConfigException {
        JsonValue value = present(key);
        if (value == null) {
            return List.of();
        }
        String expected = "a list of folders such as [\"/opt/ComfyUI/models\"]";
        if (!value.isArray()) {
            throw bad(key, value, expected);
        }
        List<Path> folders = new ArrayList<>();
        for (JsonValue item : value.asArray()) {
            if (!item.isString() || item.asString().isBlank()
                    || item.asString().indexOf('\0') >= 0) {
                throw bad(key, value, expected + " (" + item + " is not one)");
            }
            try {
                folders.add(base.resolve(item.asString().strip()).toAbsolutePath().normalize());
            } catch (InvalidPathException e) {
                throw bad(key, value, expected + " (" + item + " is not a path)");
            }
        }
        return folders;
    }

    private static final Pattern HOST =
            Pattern.compile("(\\[[0-9a-fA-F:.]+\\]|[A-Za-z0-9._-]+)(:\\d{1,5})?");

    URI httpUrl(String key, String fallback) throws ConfigException {
        return parseHttpUrl(key, string(key, fallback));
    }

    static URI parseHttpUrl(String key, String text) throws ConfigException {
        try {
            URI uri = new URI(text.strip());
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase();
            if ((scheme.equals("http") || scheme.equals("https")) && uri.getHost() != null) {
                return uri;
            }
        } catch (URISyntaxException e) {
            // reported below with the rule
        }
        throw new ConfigException("config key \"" + key + "\" is \"" + text
                + "\"; expected an absolute http:// or https:// URL");
    }

    private static String plain(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }
}
