package civitai.daemon.cli;

import civitai.daemon.config.ConfigException;
import civitai.daemon.config.ConfigLoader;
import civitai.daemon.http.Jwt;
import civitai.daemon.http.Role;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code java -jar civitai-daemon.jar token --role admin|viewer [--ttl 30d] [--config FILE]}:
 * prints an API token signed with the configured {@code jwt_secret}, for curl and scripts.
 * <pre>
 *   TOKEN=$(java -jar build/civitai-daemon.jar token --role viewer --ttl 7d)
 *   curl -H "Authorization: Bearer $TOKEN" http://127.0.0.1:8123/api/status
 * </pre>
 */
public final class TokenCommand {
    private static final Pattern TTL = Pattern.compile("(\\d+)([smhd]?)");

    /** A command line this command cannot use. */
    public static final class UsageException extends Exception {
        private static final long serialVersionUID = 1L;

        UsageException(String message) {
            super(message);
        }
    }

    private TokenCommand() {}

    public static void run(List<String> args, Map<String, String> env, PrintStream out)
            throws UsageException, ConfigException {
        Role role = null;
        Duration ttl = Duration.ofDays(30);
        Path config = Path.of("config.json");
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (i + 1 >= args.size()) {
                throw new UsageException(arg + " needs a value");
            }
            String value = args.get(++i);
            switch (arg) {
                case "--role" -> role = role(value);
                case "--ttl" -> ttl = ttl(value);
                case "--config", "-c" -> config = Path.of(value);
                default -> throw new UsageException("unknown argument: " + arg);
            }
        }
        if (role == null) {
            throw new UsageException("--role admin or --role viewer is required");
        }
        String secret = new ConfigLoader(env).load(config).config().jwtSecret();
        if (secret == null) {
            throw new ConfigException("config key \"jwt_secret\" is not set in " + config
                    + " (nor CIVITAI_DAEMON_JWT_SECRET): there is nothing to sign tokens with");
        }
        out.println(new Jwt(secret, Clock.systemUTC()).sign(role, ttl));
    }

    private static Role role(String value) throws UsageException {
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "admin" -> Role.ADMIN;
            case "viewer" -> Role.VIEWER;
            default -> throw new UsageException("--role must be admin or viewer, not " + value);
        };
    }

    /** {@code 30d}, {@code 12h}, {@code 15m}, {@code 90s} or plain seconds. */
    static Duration ttl(String value) throws UsageException {
        Matcher m = TTL.matcher(value);
        if (!m.matches() || Long.parseLong(m.group(1)) == 0) {
            throw new UsageException("--ttl must be like 30d, 12h, 15m or 90s, not " + value);
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "d" -> Duration.ofDays(n);
            case "h" -> Duration.ofHours(n);
            case "m" -> Duration.ofMinutes(n);
            default -> Duration.ofSeconds(n);
        };
    }
}
