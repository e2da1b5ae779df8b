package civitai.daemon.cli.session;

import civitai.daemon.auth.Jwt;
import civitai.daemon.auth.Role;
import com.eclipsesource.json.Json;
import com.eclipsesource.json.JsonObject;
import com.eclipsesource.json.JsonValue;
import com.eclipsesource.json.ParseException;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Finds the daemon for a client command. {@code --url} (or {@code CIVITAI_DAEMON_URL}) wins;
 * otherwise the first config.json with a port among {@code --config}, ./config.json, the
 * installed data folder's ({@code CIVITAI_DAEMON_DATA_DIR}, /var/lib/civitai-daemon, then
 * ~/.local/share/civitai-daemon). The token is {@code --token} (or {@code CIVITAI_DAEMON_TOKEN});
 * without one, a readable {@code jwt_secret} (the environment, the config, or the
 * {@code secrets.env} beside it) signs a short-lived admin token here.
 */
public final class Locator {
    public static final String SYSTEM_DATA_DIR = "/var/lib/civitai-daemon";
    public static final String SECRETS_FILE = "secrets.env";
    public static final String SECRET_ENV = "CIVITAI_DAEMON_JWT_SECRET";
    private static final Duration OWN_TOKEN_TTL = Duration.ofMinutes(10);

    private final Map<String, String> env;
    private final Path workingDir;

    public Locator(Map<String, String> env, Path workingDir) {
        this.env = env;
        this.workingDir = workingDir;
    }

    public Target locate(Args args) throws Failure {
        String token = first(args.value("--token"), env.get("CIVITAI_DAEMON_TOKEN"));
        String url = args.value("--url");
        String source = "--url";
        if (url == null && env.get("CIVITAI_DAEMON_URL") != null
                && args.value("--config") == null) {
            url = env.get("CIVITAI_DAEMON_URL");
            source = "CIVITAI_DAEMON_URL";
        }
        if (url != null) {
            return new Target(baseUrl(url, source), token, source);
        }
        List<String> looked = new ArrayList<>();
        for (Path candidate : candidates(args.value("--config"))) {
            Found found = read(candidate, looked);
            if (found != null) {
                String secret = token != null ? null : secret(found.config, candidate);
                String own = secret == null ? null
                        : new Jwt(secret, Clock.systemUTC()).sign(Role.ADMIN, OWN_TOKEN_TTL);
                return new Target(found.base, first(token, own), candidate.toString());
            }
        }
        throw Failure.unreachable("cannot find the daemon: " + String.join("; ", looked)
                + ". Pass --url http://HOST:PORT (or set CIVITAI_DAEMON_URL), or --config FILE");
    }

    /** The config files to try, in order. */
    public List<Path> candidates(String configOption) throws Failure {
        if (configOption != null) {
            Path given = workingDir.resolve(configOption);
            if (!Files.isRegularFile(given)) {
                throw Failure.usage("--config " + configOption + ": no such file");
            }
            return List.of(given);
        }
        List<Path> paths = new ArrayList<>();
        paths.add(workingDir.resolve("config.json"));
        if (env.get("CIVITAI_DAEMON_DATA_DIR") != null) {
            paths.add(Path.of(env.get("CIVITAI_DAEMON_DATA_DIR"), "config.json"));
        }
        paths.add(Path.of(SYSTEM_DATA_DIR, "config.json"));
        String dataHome = first(env.get("XDG_DATA_HOME"), env.get("HOME") == null ? null
                : env.get("HOME") + "/.local/share");
        if (dataHome != null) {
            paths.add(Path.of(dataHome, "civitai-daemon", "config.json"));
        }
        return paths.stream().map(p -> p.toAbsolutePath().normalize()).distinct().toList();
    }

    private record Found(JsonObject config, URI base) {}

    /** The config and the daemon's URL from it, or null (saying why in {@code looked}). */
    private static Found read(Path file, List<String> looked) {
        JsonObject config;
        try {
            JsonValue v = Json.parse(Files.readString(file, StandardCharsets.UTF_8));
            config = v.isObject() ? v.asObject() : null;
        } catch (NoSuchFileException e) {
            looked.add(file + " (no such file)");
            return null;
        } catch (IOException | ParseException e) {
            looked.add(file + " (unreadable: " + e.getMessage() + ")");
            return null;
        }
        JsonValue port = config == null ? null : config.get("active_port");
        if (port == null || !port.isNumber() || port.asDouble() < 1 || port.asDouble() > 65_535) {
            looked.add(file + " (no active_port: the daemon writes it there when it first starts)");
            return null;
        }
        JsonValue bind = config.get("bind_address");
        String host = bind != null && bind.isString() ? bind.asString() : "127.0.0.1";
        host = switch (host) {
            // listening everywhere: this machine is one of them
            case "0.0.0.0", "", "*" -> "127.0.0.1";
            case "::", "[::]" -> "[::1]";
            default -> host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
        };
        return new Found(config, URI.create("http://" + host + ":" + (int) port.asDouble()));
    }

    /** The first config file that exists among the candidates, for commands that only read it. */
    public Path firstConfig(String configOption) throws Failure {
        List<Path> candidates = candidates(configOption);
        return candidates.stream().filter(Files::isRegularFile).findFirst()
                .orElseThrow(() -> Failure.error("no config.json found (looked at "
                        + String.join(", ", candidates.stream().map(Path::toString).toList())
                + "); pass --config FILE"));
    }

    /**
     * The jwt_secret of the daemon using {@code configFile}, if this user can read it; null
     * otherwise.
     */
    public String secret(Path configFile) {
        try {
            JsonValue v = Json.parse(Files.readString(configFile, StandardCharsets.UTF_8));
            return secret(v.isObject() ? v.asObject() : new JsonObject(), configFile);
        } catch (IOException | ParseException e) {
            return secret(new JsonObject(), configFile);
        }
    }

    private String secret(JsonObject config, Path configFile) {
        String fromEnv = env.get(SECRET_ENV);
        if (fromEnv != null && !fromEnv.isBlank()) {
            return fromEnv.strip();
        }
        Path secrets = configFile.resolveSibling(SECRETS_FILE);
        if (Files.isReadable(secrets)) {
            try {
                for (String line : Files.readAllLines(secrets, StandardCharsets.UTF_8)) {
                    if (line.startsWith(SECRET_ENV + "=")
                            && line.length() > SECRET_ENV.length() + 1) {
                        return unquote(line.substring(SECRET_ENV.length() + 1).strip());
                    }
                }
            } catch (IOException e) {
                // unreadable after all: fall back to the config file
            }
        }
        JsonValue v = config.get("jwt_secret");
        return v != null && v.isString() && !v.asString().isBlank() ? v.asString().strip() : null;
    }

    private static String unquote(String value) {
        boolean quoted = value.length() >= 2 && (value.startsWith("\"") && value.endsWith("\"")
                || value.startsWith("'") && value.endsWith("'"));
        return quoted ? value.substring(1, value.length() - 1) : value;
    }

    private static URI baseUrl(String url, String source) throws Failure {
        try {
            URI uri = new URI(url.endsWith("/") ? url.substring(0, url.length() - 1) : url);
            if (("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))
                    && uri.getHost() != null) {
                return uri;
            }
        } catch (URISyntaxException e) {
            // reported below
        }
        throw Failure.usage(source + " must be like http://127.0.0.1:8123, not " + url);
    }

    private static String first(String a, String b) {
        return a != null ? a : b;
    }
}
