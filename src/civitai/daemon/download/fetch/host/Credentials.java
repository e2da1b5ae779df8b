package civitai.daemon.download.fetch.host;

import civitai.daemon.store.jobs.JobSpec;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Locale;

/**
 * The {@code user:password@} of a job's URL as a Basic Authorization header, sent (as curl does)
 * only to that URL's scheme, host and port, never to a host a redirect leads to. HttpClient
 * ignores user-info, and requests are made with URLs stripped of it, so this is the one place
 * the credential travels from. Immutable.
 */
public record Credentials(String origin, String header) {
    public static final Credentials NONE = new Credentials("", null);

    public static Credentials of(URI url) {
        String info = url.getRawUserInfo();
        if (info == null) {
            return NONE;
        }
        String decoded = URLDecoder.decode(info.replace("+", "%2B"), StandardCharsets.UTF_8);
        return new Credentials(origin(url),
                "Basic " + Base64.getEncoder()
                        .encodeToString(decoded.getBytes(StandardCharsets.UTF_8)));
    }

    /** The header for a request to {@code uri}, or null when the credential is not for it. */
    public String headerFor(URI uri) {
        return header != null && origin(uri).equals(origin) ? header : null;
    }

    /** The URL as requests and messages use it: without the credential. */
    public static URI strip(URI url) {
        return JobSpec.withoutUserInfo(url);
    }

    private static String origin(URI uri) {
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        return scheme + "://" + Authority.of(uri);
    }
}
