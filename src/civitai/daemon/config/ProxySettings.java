package civitai.daemon.config;

import java.net.URI;
import java.util.List;
import java.util.stream.Stream;

/**
 * Where outbound requests go: through a forward proxy, per scheme, except to the {@code no_proxy}
 * hosts. Taken from config.json's {@code proxy}/{@code no_proxy}, else from the environment the way
 * curl reads it ({@code https_proxy}, {@code http_proxy}, {@code all_proxy}, {@code no_proxy},
 * lower case first, then upper case). Immutable.
 *
 * @param http    proxy for http:// URLs, or null to connect directly
 * @param https   proxy for https:// URLs (a CONNECT tunnel), or null to connect directly
 * @param noProxy host names (a domain matches its sub-domains), IP addresses, CIDR ranges, or "*"
 * @param source  where this came from, for the start-up log line
 */
public record ProxySettings(URI http, URI https, List<String> noProxy, String source) {
    public static final List<String> DEFAULT_NO_PROXY = List.of("localhost", "127.0.0.1", "::1");
    public static final ProxySettings NONE =
            new ProxySettings(null, null, DEFAULT_NO_PROXY, "none");

    public ProxySettings {
        noProxy = List.copyOf(noProxy);
    }

    /** The proxies' passwords, to keep out of logs. */
    public List<String> secrets() {
        return Stream.of(http, https)
                .filter(u -> u != null && u.getRawUserInfo() != null
                        && u.getRawUserInfo().contains(":"))
                .map(u -> u.getRawUserInfo().substring(u.getRawUserInfo().indexOf(':') + 1))
                .filter(s -> !s.isEmpty())
                .distinct()
                .toList();
    }
}
