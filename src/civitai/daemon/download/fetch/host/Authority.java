package civitai.daemon.download.fetch.host;

import java.net.URI;
import java.util.Locale;

/**
 * What "the same server" means for a credential, a connection slot and a rate gate: a URL's host
 * and effective port, lower case. Pure.
 */
public final class Authority {
    private Authority() {}

    /** {@code host:port}, the port the scheme implies when the URL names none. */
    public static String of(URI uri) {
        String host = uri.getHost() == null ? "" : uri.getHost().toLowerCase(Locale.ROOT);
        int port = uri.getPort();
        if (port < 0) {
            port = "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
        }
        return host + ":" + port;
    }
}
