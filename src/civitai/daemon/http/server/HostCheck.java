package civitai.daemon.http.server;

import civitai.daemon.log.Printable;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.IntSupplier;

/**
 * Defends against DNS rebinding while auth is off: a page on another site that rebinds its name
 * to 127.0.0.1 sends its own name as {@code Host}, so only requests naming this machine (the
 * loopback names, the bind address, and {@code allowed_hosts} for a reverse proxy) are answered.
 * A port, when given, must be the daemon's own (or the one an allowed entry names). Thread-safe.
 */
public final class HostCheck {
    private final Set<String> names = new LinkedHashSet<>();
    private final Set<String> withPorts = new LinkedHashSet<>();
    private final IntSupplier port;

    public HostCheck(String bindAddress, List<String> allowedHosts, IntSupplier port) {
        this.port = port;
        names.addAll(List.of("127.0.0.1", "localhost", "[::1]"));
        String bind = bindAddress.toLowerCase(Locale.ROOT);
        names.add(bind.contains(":") && !bind.startsWith("[") ? "[" + bind + "]" : bind);
        for (String host : allowedHosts) {
            (host.matches(".*:\\d+$") && !host.endsWith("]") ? withPorts : names)
                    .add(host.toLowerCase(Locale.ROOT));
        }
    }

    /**
     * A 421 {@link ApiException} unless {@code host} (the request's Host header) names this daemon.
     */
    public void check(String host) {
        if (host == null || host.isBlank()) {
            throw refused("the request has no Host header");
        }
        String given = host.strip().toLowerCase(Locale.ROOT);
        if (withPorts.contains(given)) {
            return;
        }
        int colon = given.lastIndexOf(':');
        boolean hasPort = colon > given.lastIndexOf(']');
        String name = hasPort ? given.substring(0, colon) : given;
        if (names.contains(name) && (!hasPort
                || given.substring(colon + 1).equals(Integer.toString(port.getAsInt())))) {
            return;
        }
        throw refused("Host \"" + Printable.excerpt(host, 100) + "\" is not this daemon's");
    }

    private static ApiException refused(String why) {
        return new ApiException(421, "misdirected_request", why + ": with API auth off (no"
                + " jwt_secret), only 127.0.0.1, localhost, [::1], the bind address and"
                + " allowed_hosts are answered. Behind a reverse proxy, add its host name to"
                + " allowed_hosts in config.json");
    }
}
