package civitai.daemon.config;

import com.eclipsesource.json.JsonValue;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** Reads {@code proxy}, {@code no_proxy} and {@code trusted_proxies}, or the proxy environment. */
final class ProxyKeys {
    private ProxyKeys() {}

    static ProxySettings outbound(JsonValue proxy, JsonValue noProxy, Map<String, String> env)
            throws ConfigException {
        List<String> except = noProxy == null || noProxy.isNull() ? null
                : hosts("no_proxy", noProxy);
        if (proxy != null && !proxy.isNull()) {
            if (!proxy.isString()) {
                throw new ConfigException("config key \"proxy\" is " + proxy
                        + "; expected \"http://host:port\"");
            }
            URI uri = parse("proxy", proxy.asString());
            return new ProxySettings(uri, uri,
                    except == null ? ProxySettings.DEFAULT_NO_PROXY : except, "config");
        }
        URI http = fromEnv(env, "http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY");
        URI https = fromEnv(env, "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY");
        if (except == null) {
            String text = firstSet(env, "no_proxy", "NO_PROXY");
            except = text == null ? ProxySettings.DEFAULT_NO_PROXY : split(text);
        }
        return http == null && https == null ? new ProxySettings(null, null, except, "none")
                : new ProxySettings(http, https, except, "environment");
    }

    /** A list of strings, or one comma-separated string; an explicit empty list is kept empty. */
    static List<String> hosts(String key, JsonValue value) throws ConfigException {
        if (value.isString()) {
            return split(value.asString());
        }
        if (!value.isArray()) {
            throw new ConfigException("config key \"" + key + "\" is " + value
                    + "; expected a list of hosts");
        }
        List<String> out = new ArrayList<>();
        for (JsonValue v : value.asArray()) {
            if (!v.isString() || v.asString().isBlank()) {
                throw new ConfigException("config key \"" + key + "\": item " + v
                        + " is not a host name or address");
            }
            out.add(v.asString().strip());
        }
        return out;
    }

    /**
     * {@code trusted_proxies}: IP addresses or CIDR ranges, checked here so a typo stops the start.
     */
    static List<AddressRange> trusted(JsonValue value) throws ConfigException {
        if (value == null || value.isNull()) {
            return List.of();
        }
        List<AddressRange> out = new ArrayList<>();
        for (String cidr : hosts("trusted_proxies", value)) {
            AddressRange range = AddressRange.parse(cidr);
            if (range == null) {
                throw new ConfigException("config key \"trusted_proxies\": \"" + cidr
                        + "\" is not an IP address or CIDR range (e.g. 127.0.0.1,"
                        + " 10.0.0.0/8, ::1)");
            }
            out.add(range);
        }
        return out;
    }

    private static List<String> split(String text) {
        return Arrays.stream(text.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList();
    }

    private static String firstSet(Map<String, String> env, String... names) {
        for (String name : names) {
            String v = env.get(name);
            if (v != null && !v.isBlank()) {
                return v.strip();
            }
        }
        return null;
    }

    private static URI fromEnv(Map<String, String> env, String... names) throws ConfigException {
        for (String name : names) {
            String v = env.get(name);
            if (v != null && !v.isBlank()) {
                return parse("environment " + name,
                        v.contains("://") ? v.strip() : "http://" + v.strip());
            }
        }
        return null;
    }

    private static URI parse(String key, String text) throws ConfigException {
        try {
            URI uri = new URI(text.strip());
            if ("http".equalsIgnoreCase(uri.getScheme()) && uri.getHost() != null
                    && (uri.getRawPath() == null || uri.getRawPath().isEmpty()
                            || uri.getRawPath().equals("/"))) {
                return uri;
            }
        } catch (URISyntaxException e) {
            // reported below
        }
        throw new ConfigException(key + " is \"" + redactUserInfo(text) + "\"; expected"
                + " http://[user:password@]host:port (an http proxy; https to the proxy itself and"
                + " socks are not supported)");
    }

    private static String redactUserInfo(String text) {
        return text.replaceAll("//[^/@]*@", "//[REDACTED]@");
    }
}
