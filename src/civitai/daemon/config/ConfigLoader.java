package civitai.daemon.config;

import civitai.daemon.target.ExistingFiles;
import civitai.daemon.target.Layout;
import civitai.daemon.target.ReuseMode;
import com.eclipsesource.json.Json;
import com.eclipsesource.json.JsonObject;
import com.eclipsesource.json.JsonValue;
import com.eclipsesource.json.ParseException;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;

/**
 * Reads config.json: every key with its default, checked once here so the rest of the daemon can
 * trust the {@link Config}. Relative paths resolve against the config file's folder; the
 * environment's {@code CIVITAI_API_KEY} and {@code CIVITAI_DAEMON_JWT_SECRET} override the file.
 */
public final class ConfigLoader {
    public static final String DEFAULT_CIVITAI_URL = "https://civitai.com/api/v1";
    /** max_file_size's default: generous, a bound against a body that never ends, not a policy. */
    static final long MAX_FILE_SIZE = 256L << 30;
    static final Set<String> KNOWN_KEYS = Set.of(
            "webhook_url", "throttle", "retries", "workers", "timeout", "download_dir",
            "active_port", "civitai_api_key", "jwt_secret", "civitai_url", "manifest_mode",
            "bind_address", "stall_timeout", "max_download_speed", "database", "manifest",
            "log_dir", "log_max_bytes", "log_files", "retry_base_delay", "retry_max_delay",
            "webhook_secret", "webhook_retry_delay", "allow_unauthenticated_remote",
            "event_heartbeat", "allow_unscanned", "update_interval_hours", "update_first_delay",
            "layout", "sidecars", "previews", "allow_nsfw_previews", "file_preferences",
            "allowed_hosts", "max_connections", "max_event_clients", "request_timeout",
            "existing_files", "connections_per_download", "min_segment_size",
            "max_connections_per_host",
            "notifications", "proxy", "no_proxy", "trusted_proxies", "health_port",
            "library_roots", "library_reuse", "min_free_space", "max_file_size", "hf_endpoint",
            "hf_token");

    private final Map<String, String> env;

    /**
     * @param env the environment: secret overrides, {@code ${NAME}} in notifications, proxy
     *            variables
     */
    public ConfigLoader(Map<String, String> env) {
        this.env = Map.copyOf(env);
    }

    /** The loaded config and the warnings (unknown keys) to log once logging is up. */
    public record Loaded(Config config, List<String> warnings) {}

    public Loaded load(Path file) throws ConfigException {
        Path absolute = file.toAbsolutePath().normalize();
        JsonObject json = parseObject(absolute);
        List<String> warnings = new ArrayList<>();
        for (String name : json.names()) {
            if (!KNOWN_KEYS.contains(name)) {
                warnings.add("config " + absolute + ": unknown key \"" + name + "\" is ignored");
            }
        }
        Path base = absolute.getParent();
        var keys = new ConfigKeys(json);
        List<URI> webhookUrls = webhookUrls(json.get("webhook_url"));
        String webhookSecret = secret("webhook_secret", "CIVITAI_DAEMON_WEBHOOK_SECRET", keys);
        Config config = new Config(
                absolute,
                webhookUrls,
                keys.seconds("throttle", 1, 0, 86_400),
                (int) keys.integer("retries", 5, 0, 100),
                (int) keys.integer("workers", 2, 1, 64),
                keys.seconds("timeout", 3600, 0.1, 7 * 86_400),
                keys.seconds("stall_timeout", 60, 0.01, 86_400),
                keys.integer("max_download_speed", 0, 0, Long.MAX_VALUE),
                base.resolve(keys.string("download_dir", "data/models")).normalize(),
                keys.optionalInteger("active_port", 0, 65_535),  // 0: any free port, not saved
                keys.string("bind_address", "127.0.0.1"),
                secret("civitai_api_key", "CIVITAI_API_KEY", keys),
                secret("jwt_secret", "CIVITAI_DAEMON_JWT_SECRET", keys),
                keys.httpUrl("civitai_url", DEFAULT_CIVITAI_URL),
                keys.oneOf("manifest_mode", ManifestMode.REPLACE),
                base.resolve(keys.string("database", "completed.db")).normalize(),
                base.resolve(keys.string("manifest", "manifest.json")).normalize(),
                base.resolve(keys.string("log_dir", "logs")).normalize(),
                keys.integer("log_max_bytes", 10L << 20, 4096, 1L << 40),
                (int) keys.integer("log_files", 5, 1, 100),
                keys.seconds("retry_base_delay", 2, 0, 3600),
                keys.seconds("retry_max_delay", 900, 0, 86_400),
                webhookSecret,
                keys.seconds("webhook_retry_delay", 15, 0.001, 86_400),
                keys.bool("allow_unauthenticated_remote", false),
                keys.seconds("event_heartbeat", 15, 0.01, 3600),
                keys.bool("allow_unscanned", false),
                ofSeconds(keys.number("update_interval_hours", 24, 0, 24 * 365) * 3600),
                keys.seconds("update_first_delay", 60, 0, 86_400),
                keys.oneOf("layout", Layout.FLAT),
                keys.bool("sidecars", true),
                keys.bool("previews", true),
                keys.bool("allow_nsfw_previews", false),
                filePreferences(json.get("file_preferences")),
                keys.hostList("allowed_hosts"),
                (int) keys.integer("max_connections", 1500, 16, 100_000),
                (int) keys.integer("max_event_clients", 1000, 1, 100_000),
                keys.seconds("request_timeout", 10, 1, 3600),
                keys.oneOf("existing_files", ExistingFiles.KEEP),
                (int) keys.integer("connections_per_download", 4, 1, 16),
                keys.integer("min_segment_size", 32L << 20, 64 * 1024, 1L << 40),
                (int) keys.integer("max_connections_per_host", 8, 1, 64),
                new NotificationKeys(env).read(webhookUrls, webhookSecret,
                        json.get("notifications")),
                ProxyKeys.outbound(json.get("proxy"), json.get("no_proxy"), env),
                ProxyKeys.trusted(json.get("trusted_proxies")),
                (int) keys.integer("health_port", 0, 0, 65_535),
                keys.folders("library_roots", base),
                keys.oneOf("library_reuse", ReuseMode.LINK),
                MinFreeSpace.read(json.get("min_free_space")),
                keys.integer("max_file_size", MAX_FILE_SIZE, 1L << 20, Long.MAX_VALUE),
                new HubSettings(keys.httpUrl("hf_endpoint", HubSettings.DEFAULT_ENDPOINT),
                        secret("hf_token", "HF_TOKEN", keys)));
        if (config.maxEventClients() >= config.maxConnections()) {
            throw new ConfigException("config key \"max_event_clients\" is "
                    + config.maxEventClients() + "; expected fewer than max_connections ("
                    + config.maxConnections()
                    + "), so other requests still get a connection");
        }
        if (config.healthPort() != 0 && Integer.valueOf(config.healthPort())
                .equals(config.activePort())) {
            throw new ConfigException("config key \"health_port\" is " + config.healthPort()
                    + ", the same as active_port; give the health listener a port of its"
                    + " own, or 0 for none");
        }
        if (config.jwtSecret() == null && !config.loopbackOnly()
                && !config.allowUnauthenticatedRemote()) {
            throw new ConfigException("config key \"bind_address\" is \"" + config.bindAddress()
                    + "\" but" + " \"jwt_secret\" is not set: the API would be open to the network."
                    + " Set jwt_secret (or CIVITAI_DAEMON_JWT_SECRET), bind to 127.0.0.1, or set"
                    + " \"allow_unauthenticated_remote\": true");
        }
        return new Loaded(config, List.copyOf(warnings));
    }

    private static JsonObject parseObject(Path file) throws ConfigException {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ConfigException("cannot read config file " + file + ": " + e.getMessage(), e);
        }
        JsonValue value;
        try {
            value = Json.parse(text);
        } catch (ParseException e) {
            throw new ConfigException("config file " + file + " is not valid JSON: "
                    + e.getMessage() + " (line " + e.getLocation().line + ", column "
                    + e.getLocation().column + ")", e);
        }
        if (!value.isObject()) {
            throw new ConfigException("config file " + file + " must hold a JSON object {...}");
        }
        return value.asObject();
    }

    private String secret(String key, String envName, ConfigKeys keys) throws ConfigException {
        String fromEnv = env.get(envName);
        if (fromEnv != null && !fromEnv.isBlank()) {
            return fromEnv.strip();
        }
        String fromFile = keys.optionalString(key);
        if (fromFile == null || fromFile.isBlank()) {
            return null;
        }
        // "${NAME}" keeps the secret out of the file, as in notifications; unset means none
        Matcher ref = NotificationKeys.ENV_REF.matcher(fromFile.strip());
        if (ref.matches()) {
            String named = env.get(ref.group(1));
            return named == null || named.isBlank() ? null : named.strip();
        }
        return fromFile.strip();
    }

    private static List<URI> webhookUrls(JsonValue value) throws ConfigException {
        if (value == null || value.isNull()) {
            return List.of();
        }
        List<URI> urls = new ArrayList<>();
        if (value.isString()) {
            if (!value.asString().isBlank()) {
                urls.add(ConfigKeys.parseHttpUrl("webhook_url", value.asString()));
            }
            return urls;
        }
        if (value.isArray()) {
            for (JsonValue item : value.asArray()) {
                if (!item.isString()) {
                    throw new ConfigException("config key \"webhook_url\": list item " + item
                            + " is not a string; expected http(s) URLs");
                }
                urls.add(ConfigKeys.parseHttpUrl("webhook_url", item.asString()));
            }
            return urls;
        }
        throw new ConfigException("config key \"webhook_url\" is " + value
                + "; expected a URL, a list of URLs, or null");
    }

    private static FilePreferences filePreferences(JsonValue value) throws ConfigException {
        if (value == null || value.isNull()) {
            return FilePreferences.NONE;
        }
        String expected = "an object with any of \"format\", \"fp\", \"size\" as strings,"
                + " e.g. {\"format\": \"SafeTensor\", \"fp\": \"fp16\"}";
        if (!value.isObject()) {
            throw new ConfigException("config key \"file_preferences\" is " + value + "; expected "
                    + expected);
        }
        Map<String, String> out = new HashMap<>();
        for (JsonObject.Member m : value.asObject()) {
            if (!Set.of("format", "fp", "size").contains(m.getName()) || !m.getValue().isString()) {
                throw new ConfigException("config key \"file_preferences\" has " + m.getName()
                        + ": " + m.getValue() + "; expected " + expected);
            }
            out.put(m.getName(), m.getValue().asString());
        }
        return new FilePreferences(out.get("format"), out.get("fp"), out.get("size"));
    }

    /** Duration from fractional seconds, for tests and users alike. */
    static Duration ofSeconds(double seconds) {
        return Duration.ofNanos(Math.round(seconds * 1e9));
    }
}
