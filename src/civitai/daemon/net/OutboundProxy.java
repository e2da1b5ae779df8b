package civitai.daemon.net;

import civitai.daemon.config.AddressRange;
import civitai.daemon.config.ProxySettings;
import java.io.IOException;
import java.net.Authenticator;
import java.net.InetSocketAddress;
import java.net.PasswordAuthentication;
import java.net.Proxy;
import java.net.ProxySelector;
import java.net.SocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

/**
 * Picks the forward proxy for each outbound URI the way curl does: {@code https} URLs through the
 * https proxy (a CONNECT tunnel, so the Civitai API key stays inside TLS), {@code http} URLs
 * through the http proxy, and none for a {@code no_proxy} host: {@code *}, a name (which also
 * covers its sub-domains; a leading dot is optional), an IP address or a CIDR range. Immutable,
 * thread-safe.
 */
public final class OutboundProxy extends ProxySelector {
    /**
     * The JDK refuses Basic credentials on CONNECT unless this property says otherwise; it is read
     * once, before the first HttpClient, so {@code Main} clears it at start. Safe here: the
     * {@link #authenticator()} answers only the configured proxy, never an origin server.
     */
    public static final String TUNNEL_AUTH_PROPERTY = "jdk.http.auth.tunneling.disabledSchemes";

    private final ProxySettings settings;

    public OutboundProxy(ProxySettings settings) {
        this.settings = settings;
    }

    /** Lets proxy Basic auth through CONNECT tunnels, unless the user configured the property. */
    public static void allowBasicAuthForTunnels() {
        if (System.getProperty(TUNNEL_AUTH_PROPERTY) == null) {
            System.setProperty(TUNNEL_AUTH_PROPERTY, "");
        }
    }

    /** True when some request may go through a proxy. */
    public boolean active() {
        return settings.http() != null || settings.https() != null;
    }

    @Override
    public List<Proxy> select(URI uri) {
        URI proxy = proxyFor(uri);
        if (proxy == null) {
            return List.of(Proxy.NO_PROXY);
        }
        int port = proxy.getPort() < 0 ? 80 : proxy.getPort();
        return List.of(new Proxy(Proxy.Type.HTTP,
                InetSocketAddress.createUnresolved(proxy.getHost(), port)));
    }

    /** The proxy a request to {@code uri} goes through, or null for a direct connection. */
    public URI proxyFor(URI uri) {
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        URI proxy = switch (scheme) {
            case "https", "wss" -> settings.https();
            case "http", "ws" -> settings.http();
            default -> null;
        };
        return proxy == null || uri.getHost() == null || bypassed(uri.getHost()) ? null : proxy;
    }

    /** Whether {@code host} is in no_proxy. */
    boolean bypassed(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        if (h.startsWith("[") && h.endsWith("]")) {
            h = h.substring(1, h.length() - 1);
        }
        h = h.endsWith(".") ? h.substring(0, h.length() - 1) : h;
        byte[] address = AddressRange.literal(h);
        for (String entry : settings.noProxy()) {
            String e = entry.toLowerCase(Locale.ROOT).strip();
            if (e.equals("*")) {
                return true;
            }
            AddressRange range = AddressRange.parse(e);
            if (range != null) {
                if (address != null && range.contains(address)) {
                    return true;
                }
                continue;
            }
            e = e.replaceFirst("^\\*?\\.", "").replaceFirst(":\\d+$", "");
            if (address == null && !e.isEmpty() && (h.equals(e) || h.endsWith("." + e))) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void connectFailed(URI uri, SocketAddress proxy, IOException e) {
        // nothing to learn: the request fails and is retried by its owner
    }

    /** Answers the configured proxies' 407 with their user:password; never an origin's 401. */
    public Authenticator authenticator() {
        return new Authenticator() {
            @Override
            protected PasswordAuthentication getPasswordAuthentication() {
                if (getRequestorType() != RequestorType.PROXY) {
                    return null;
                }
                for (URI proxy : new URI[] {settings.https(), settings.http()}) {
                    if (proxy != null && proxy.getRawUserInfo() != null
                            && proxy.getHost().equalsIgnoreCase(getRequestingHost())
                            && (proxy.getPort() < 0 ? 80
                                    : proxy.getPort()) == getRequestingPort()) {
                        return credentials(proxy.getRawUserInfo());
                    }
                }
                return null;
            }
        };
    }

    private static PasswordAuthentication credentials(String userInfo) {
        int colon = userInfo.indexOf(':');
        String user = decode(colon < 0 ? userInfo : userInfo.substring(0, colon));
        String password = colon < 0 ? "" : decode(userInfo.substring(colon + 1));
        return new PasswordAuthentication(user, password.toCharArray());
    }

    /** Percent-decoding of a URI's user info, where '+' is itself. */
    private static String decode(String s) {
        return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    /** For the start-up log: where requests go, without the password. */
    public String describe() {
        if (!active()) {
            return "direct (no proxy)";
        }
        return "through " + shown(settings.https()) + " (https), " + shown(settings.http())
                + " (http) from " + settings.source() + "; not for "
                + (settings.noProxy().isEmpty() ? "any host" : settings.noProxy());
    }

    private static String shown(URI proxy) {
        return proxy == null ? "direct"
                : "http://" + proxy.getHost() + ":" + (proxy.getPort() < 0 ? 80 : proxy.getPort());
    }
}
