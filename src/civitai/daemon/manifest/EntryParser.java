package civitai.daemon.manifest;

import civitai.daemon.store.jobs.JobSpec;
import civitai.daemon.target.SafeName;
import com.eclipsesource.json.JsonObject;
import com.eclipsesource.json.JsonValue;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.regex.Pattern;

/** Checks one manifest entry and turns it into a {@link ManifestEntry}. Pure; thread-safe. */
public final class EntryParser {
    private static final Pattern SHA256 = Pattern.compile("[0-9a-fA-F]{64}");
    private static final long MAX_PRIORITY = 1_000_000;
    /** An entry is kept whole (its extra fields too) in SQLite and manifest.json: bounded. */
    static final int MAX_ENTRY_BYTES = 16 * 1024;

    /** An entry that cannot be used, with the reason in words. */
    public static final class InvalidEntry extends Exception {
        private static final long serialVersionUID = 1L;

        InvalidEntry(String message) {
            super(message);
        }
    }

    private EntryParser() {}

    public static ManifestEntry parse(JsonValue value) throws InvalidEntry {
        if (value == null || !value.isObject()) {
            throw new InvalidEntry("an entry must be a JSON object, not " + value);
        }
        JsonObject o = value.asObject();
        int bytes = o.toString().getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_ENTRY_BYTES) {
            throw new InvalidEntry("the entry is " + bytes + " bytes; at most " + MAX_ENTRY_BYTES
                    + " (16 KiB), extra fields included, are kept per entry");
        }
        URI url = url(o);
        String modelType = segment(o, "model_type", true);
        String filename = relativePath(o, "filename");
        String sha256 = optionalString(o, "sha256");
        if (sha256 != null && !SHA256.matcher(sha256).matches()) {
            throw new InvalidEntry("\"sha256\" must be 64 hex digits, not \"" + sha256 + "\"");
        }
        return new ManifestEntry(
                positiveLong(o, "modelId"),
                modelType,
                sha256 == null ? null : sha256.toLowerCase(Locale.ROOT),
                url,
                filename,
                priority(o),
                optionalString(o, "updatedAt"),
                expectedSize(o),
                o.get("size") != null && !o.get("size").isNull(),
                withoutCredentials(o, url).toString());
    }

    /**
     * The entry as it is kept (SQLite, manifest.json, API answers): a {@code user:password@} in
     * its URL is dropped, so the credential lives only where the request is made from.
     */
    private static JsonObject withoutCredentials(JsonObject o, URI url) {
        if (url.getRawUserInfo() == null) {
            return o;
        }
        return new JsonObject().merge(o).set("url", JobSpec.withoutUserInfo(url).toString());
    }

    private static URI url(JsonObject o) throws InvalidEntry {
        String text = optionalString(o, "url");
        if (text == null || text.isBlank()) {
            throw new InvalidEntry("\"url\" is missing");
        }
        try {
            URI uri = new URI(text.strip());
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if ((scheme.equals("http") || scheme.equals("https")) && uri.getHost() != null) {
                return uri;
            }
        } catch (URISyntaxException e) {
            throw new InvalidEntry("\"url\" is not a valid URL: " + e.getMessage());
        }
        throw new InvalidEntry("\"url\" must be an absolute http:// or https:// URL, not \"" + text
                + "\"");
    }

    private static String segment(JsonObject o, String key, boolean required) throws InvalidEntry {
        String value = optionalString(o, key);
        if (value == null) {
            if (required) {
                throw new InvalidEntry("\"" + key + "\" is missing");
            }
            return null;
        }
        var problem = SafeName.problem(value);
        if (problem.isPresent()) {
            throw new InvalidEntry("\"" + key + "\" " + problem.get());
        }
        return value;
    }

    /**
     * A file name, or a path of safe segments under the type's folder ({@code sd15/x.safetensors}).
     */
    private static String relativePath(JsonObject o, String key) throws InvalidEntry {
        String value = optionalString(o, key);
        if (value == null) {
            return null;
        }
        var problem = SafeName.pathProblem(value);
        if (problem.isPresent()) {
            throw new InvalidEntry("\"" + key + "\" " + problem.get());
        }
        return value;
    }

    private static String optionalString(JsonObject o, String key) throws InvalidEntry {
        JsonValue v = o.get(key);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isString()) {
            throw new InvalidEntry("\"" + key + "\" must be a string, not " + v);
        }
        return v.asString();
    }

    /**
     * A whole-number field of an entry as readers of the manifest take it (a number or a numeric
     * string, as users write {@code modelId}); null when absent or not a number. Never throws.
     */
    public static Long wholeNumber(JsonObject o, String key) {
        JsonValue v = o.get(key);
        try {
            if (v != null && v.isNumber()) {
                return v.asLong();
            }
            if (v != null && v.isString()) {
                return Long.valueOf(v.asString().strip());
            }
        } catch (NumberFormatException e) {
            return null;
        }
        return null;
    }

    private static Long positiveLong(JsonObject o, String key) throws InvalidEntry {
        JsonValue v = o.get(key);
        if (v == null || v.isNull()) {
            return null;
        }
        try {
            long n = v.isString() ? Long.parseLong(v.asString().strip()) : v.asLong();
            if (n > 0) {
                return n;
            }
        } catch (NumberFormatException | UnsupportedOperationException e) {
            // reported below
        }
        throw new InvalidEntry("\"" + key + "\" must be a positive whole number, not " + v);
    }

    private static int priority(JsonObject o) throws InvalidEntry {
        JsonValue v = o.get("priority");
        if (v == null || v.isNull()) {
            return 0;
        }
        try {
            long n = v.asLong();
            if (Math.abs(n) <= MAX_PRIORITY) {
                return (int) n;
            }
        } catch (NumberFormatException | UnsupportedOperationException e) {
            // reported below
        }
        throw new InvalidEntry("\"priority\" must be a whole number from -" + MAX_PRIORITY
                + " to " + MAX_PRIORITY + " (lower runs first), not " + v);
    }

    private static Long expectedSize(JsonObject o) throws InvalidEntry {
        JsonValue size = o.get("size");
        JsonValue sizeKb = o.get("sizeKB");
        try {
            if (size != null && !size.isNull()) {
                long n = size.asLong();
                if (n >= 0) {
                    return n;
                }
            } else if (sizeKb != null && !sizeKb.isNull()) {
                double kb = sizeKb.asDouble();
                if (kb >= 0) {
                    return Math.round(kb * 1024);
                }
            } else {
                return null;
            }
        } catch (NumberFormatException | UnsupportedOperationException e) {
            // reported below
        }
        throw new InvalidEntry("\"size\" (bytes) / \"sizeKB\" must be a non-negative number");
    }
}
