package civitai.daemon.download.fetch.host;

import java.net.URI;
import java.util.Objects;

/**
 * Which host gets which credential header, asked at every hop of a redirect: a token meant for
 * one host (a model site's API) never reaches the storage host or CDN it redirects to. A source
 * outside the engine supplies it; the engine knows no host by name. Implementations are pure and
 * thread-safe.
 */
@FunctionalInterface
public interface HostCredentials {
    /** No host gets a credential. */
    HostCredentials NONE = uri -> null;

    /** A request header: its name and its value (a secret: never logged). */
    public record Header(String name, String value) {
        public Header {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(value, "value");
        }

        @Override
        public String toString() {
            return name + ": (secret)";
        }
    }

    /** The header a request to {@code uri} carries, or null for none. */
    Header headerFor(URI uri);

    /** This source's header for its host; {@code other}'s for any host this one gives none. */
    default HostCredentials or(HostCredentials other) {
        return uri -> {
            Header mine = headerFor(uri);
            return mine != null ? mine : other.headerFor(uri);
        };
    }

    /**
     * {@code token} as {@code Authorization: Bearer} for {@code host}'s scheme, host and port
     * alone; no host at all when the token is null or blank.
     */
    public static HostCredentials bearer(URI host, String token) {
        if (token == null || token.isBlank()) {
            return NONE;
        }
        String authority = Authority.of(host);
        Header header = new Header("Authorization", "Bearer " + token);
        return uri -> Authority.of(uri).equals(authority) ? header : null;
    }
}
