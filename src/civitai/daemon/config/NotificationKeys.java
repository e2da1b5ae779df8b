package civitai.daemon.config;

import com.eclipsesource.json.JsonObject;
import com.eclipsesource.json.JsonValue;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the {@code notifications} list and turns the top-level {@code webhook_url} into webhook
 * targets. A string value written {@code ${NAME}} is read from the environment variable NAME, so
 * bot tokens and webhook URLs need not sit in config.json.
 */
final class NotificationKeys {
    static final Pattern ENV_REF = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)}");
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]{1,64}");
    private static final Map<String, Set<String>> KEYS = Map.of(
            "telegram", Set.of("bot_token", "chat_id"),
            "ntfy", Set.of("url", "token"),
            "discord", Set.of("webhook_url"),
            "webhook", Set.of("url", "secret"));

    private final Map<String, String> env;
    private final Set<String> names = new HashSet<>();

    NotificationKeys(Map<String, String> env) {
        this.env = env;
    }

    /** The legacy webhook URLs first (all events, the global secret), then the list, in order. */
    List<Notification> read(List<URI> webhookUrls, String webhookSecret, JsonValue list)
            throws ConfigException {
        List<Notification> out = new ArrayList<>();
        for (URI url : webhookUrls) {
            out.add(new Notification(freeName("webhook"), "webhook", Notification.EVENTS, null, url,
                    null, null, null, webhookSecret));
        }
        if (list == null || list.isNull()) {
            return out;
        }
        if (!list.isArray()) {
            throw new ConfigException("config key \"notifications\" is " + list
                    + "; expected a list of targets like {\"type\": \"ntfy\", \"url\":"
                    + " \"https://ntfy.sh/topic\"}");
        }
        int index = 0;
        for (JsonValue item : list.asArray()) {
            index++;
            if (!item.isObject()) {
                throw new ConfigException("notifications #" + index + " is " + item
                        + "; expected an object");
            }
            out.add(target(index, item.asObject()));
        }
        return out;
    }

    private Notification target(int index, JsonObject o) throws ConfigException {
        String where = "notifications #" + index;
        String type = plain(where, o, "type");
        if (type == null || !Notification.TYPES.contains(type)) {
            throw new ConfigException(where + ": \"type\" is " + o.get("type")
                    + "; expected one of " + Notification.TYPES);
        }
        for (String key : o.names()) {
            if (!KEYS.get(type).contains(key)
                    && !Set.of("type", "name", "events", "api_url").contains(key)) {
                throw new ConfigException(where + " (" + type + "): unknown key \"" + key
                        + "\"; expected " + KEYS.get(type)
                        + " and optionally name, events, api_url");
            }
        }
        String name = plain(where, o, "name");
        if (name != null && (!NAME.matcher(name).matches() || !names.add(name))) {
            throw new ConfigException(where + ": \"name\" \"" + name + "\" must be unique and made"
                    + " of letters, digits, '.', '_' or '-' (at most 64)");
        }
        name = name == null ? freeName(type) : name;
        URI apiUrl = o.get("api_url") == null ? null : url(where, o, "api_url");
        List<String> events = events(where, o.get("events"));
        return switch (type) {
            case "telegram" -> new Notification(name, type, events, apiUrl, null,
                    required(where, o, "bot_token"), required(where, o, "chat_id"), null, null);
            case "ntfy" -> new Notification(name, type, events, apiUrl, url(where, o, "url"),
                    null, null, value(where, o, "token"), null);
            case "discord" -> new Notification(name, type, events, apiUrl,
                    url(where, o, "webhook_url"), null, null, null, null);
            default -> new Notification(name, type, events, apiUrl, url(where, o, "url"),
                    null, null, null, value(where, o, "secret"));
        };
    }

    private String freeName(String type) {
        String name = type;
        for (int n = 2; !names.add(name); n++) {
            name = type + "-" + n;
        }
        return name;
    }

    private static List<String> events(String where, JsonValue value) throws ConfigException {
        if (value == null || value.isNull()) {
            return Notification.DEFAULT_EVENTS;
        }
        List<String> out = new ArrayList<>();
        if (value.isArray()) {
            for (JsonValue v : value.asArray()) {
                if (v.isString() && Notification.EVENTS.contains(v.asString())) {
                    out.add(v.asString());
                    continue;
                }
                out.clear();
                break;
            }
        }
        if (out.isEmpty()) {
            throw new ConfigException(where + ": \"events\" is " + value
                    + "; expected a non-empty list from " + Notification.EVENTS);
        }
        return List.copyOf(new LinkedHashSet<>(out));
    }

    private static String plain(String where, JsonObject o, String key) throws ConfigException {
        JsonValue v = o.get(key);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isString() || v.asString().isBlank()) {
            throw new ConfigException(where + ": \"" + key + "\" is " + v
                    + "; expected a non-empty string");
        }
        return v.asString().strip();
    }

    /** A string that may be {@code ${ENV_NAME}}; null when absent. */
    private String value(String where, JsonObject o, String key) throws ConfigException {
        JsonValue v = o.get(key);
        if (v != null && v.isNumber()) {
            return v.toString();  // a numeric chat id
        }
        String text = plain(where, o, key);
        if (text == null) {
            return null;
        }
        Matcher m = ENV_REF.matcher(text);
        if (!m.matches()) {
            return text;
        }
        String fromEnv = env.get(m.group(1));
        if (fromEnv == null || fromEnv.isBlank()) {
            throw new ConfigException(where + ": \"" + key + "\" names the environment variable "
                    + m.group(1) + ", which is not set");
        }
        return fromEnv.strip();
    }

    private String required(String where, JsonObject o, String key) throws ConfigException {
        String v = value(where, o, key);
        if (v == null) {
            throw new ConfigException(where + ": \"" + key + "\" is required");
        }
        return v;
    }

    private URI url(String where, JsonObject o, String key) throws ConfigException {
        return ConfigKeys.parseHttpUrl(where + " " + key, required(where, o, key));
    }
}
