package civitai.daemon.cli;

import civitai.daemon.auth.Jwt;
import civitai.daemon.auth.Role;
import civitai.daemon.cli.session.Args;
import civitai.daemon.cli.session.ExitCode;
import civitai.daemon.cli.session.Failure;
import civitai.daemon.cli.session.Locator;
import civitai.daemon.cli.session.Session;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code token --role admin|viewer [--ttl 30d] [--config FILE]}: prints an API token signed with
 * the daemon's {@code jwt_secret} (from the environment, the config's {@code secrets.env}, or the
 * config itself), for curl, scripts and the GUI. Needs no running daemon.
 * <pre>
 *   TOKEN=$(sudo civitai-daemon token --role viewer --ttl 7d)
 *   curl -H "Authorization: Bearer $TOKEN" http://127.0.0.1:8123/api/status
 * </pre>
 */
final class TokenCommand {
    static final Set<String> OPTIONS = Set.of("--role", "--ttl");
    private static final Pattern TTL = Pattern.compile("(\\d{1,9})([smhd]?)");

    private final Session session;

    TokenCommand(Session session) {
        this.session = session;
    }

    int run(Args a) throws Failure {
        a.positional(0, "");
        if (a.value("--role") == null) {
            throw Failure.usage("--role admin or --role viewer is required");
        }
        Role role = role(a.value("--role"));
        Duration ttl = a.value("--ttl") == null ? Duration.ofDays(30) : ttl(a.value("--ttl"));
        Locator locator = new Locator(session.env(), session.workingDir());
        Path config = locator.firstConfig(a.value("--config"));
        String secret = locator.secret(config);
        if (secret == null) {
            Path secrets = config.resolveSibling(Locator.SECRETS_FILE);
            throw Failure.error("no jwt_secret to sign with: not in " + config + ", "
                    + (Files.exists(secrets) && !Files.isReadable(secrets)
                            ? secrets + " is not readable by this user"
                    + " (try sudo)" : "nor in " + secrets) + ", nor in " + Locator.SECRET_ENV);
        }
        session.out().println(new Jwt(secret, Clock.systemUTC()).sign(role, ttl));
        return ExitCode.OK;
    }

    private static Role role(String value) throws Failure {
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "admin" -> Role.ADMIN;
            case "viewer" -> Role.VIEWER;
            default -> throw Failure.usage("--role must be admin or viewer, not " + value);
        };
    }

    /** {@code 30d}, {@code 12h}, {@code 15m}, {@code 90s} or plain seconds. */
    static Duration ttl(String value) throws Failure {
        Matcher m = TTL.matcher(value);
        if (!m.matches() || Long.parseLong(m.group(1)) == 0) {
            throw Failure.usage("--ttl must be like 30d, 12h, 15m or 90s, not " + value);
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
