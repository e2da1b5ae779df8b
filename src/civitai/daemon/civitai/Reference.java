package civitai.daemon.civitai;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A pointer to a Civitai model: a model (newest version wanted) or one version, optionally one
 * file. Parsed from what users paste: a model page link (civitai.com or civitai.red), a download
 * link, an AIR ({@code urn:air:sd1:checkpoint:civitai:4201@130072}) or bare ids.
 */
public sealed interface Reference {
    /** Which file of the version to take; null for the preferred one. */
    Long fileId();

    /** A model; {@code versionId} null means its newest published version. */
    record Model(long modelId, Long versionId, Long fileId) implements Reference {}

    /** One version of a model whose id is not known yet. */
    record Version(long versionId, Long fileId) implements Reference {}

    /** The file with this hash, wherever it is on Civitai. */
    record Hash(String hash) implements Reference {
        @Override
        public Long fileId() {
            return null;
        }
    }

    Set<String> CIVITAI_HOSTS = Set.of("civitai.com", "www.civitai.com", "civitai.red",
            "www.civitai.red");

    /**
     * Parses a link or AIR. {@code extraHost} is accepted besides Civitai's own hosts (the
     * configured {@code civitai_url} host, so a mirror or a test server works too).
     */
    static Optional<Reference> parse(String text, String extraHost) {
        if (text == null) {
            return Optional.empty();
        }
        String t = text.strip();
        Matcher air = Parsing.AIR.matcher(t);
        if (air.matches()) {
            return Optional.of(new Model(Long.parseLong(air.group(1)),
                    air.group(2) == null ? null : Long.valueOf(air.group(2)), null));
        }
        URI uri;
        try {
            uri = new URI(t);
        } catch (URISyntaxException e) {
            return Optional.empty();
        }
        String host = uri.getHost() == null ? "" : uri.getHost().toLowerCase(Locale.ROOT);
        String authority = uri.getRawAuthority() == null ? ""
                : uri.getRawAuthority().toLowerCase(Locale.ROOT);
        if (!CIVITAI_HOSTS.contains(host) && !authority.equals(extraHost)
                && !host.equals(extraHost)) {
            return Optional.empty();
        }
        String path = uri.getPath() == null ? "" : uri.getPath();
        Long fileId = Parsing.query(uri, "fileId");
        Matcher m = Parsing.MODEL_PAGE.matcher(path);
        if (m.matches()) {
            return Optional.of(new Model(Long.parseLong(m.group(1)),
                    Parsing.query(uri, "modelVersionId"), fileId));
        }
        Matcher d = Parsing.DOWNLOAD.matcher(path);
        if (d.matches()) {
            return Optional.of(new Version(Long.parseLong(d.group(1)), fileId));
        }
        Matcher v = Parsing.VERSION_API.matcher(path);
        return v.matches() ? Optional.of(new Version(Long.parseLong(v.group(1)), fileId))
                : Optional.empty();
    }

    /** The patterns behind {@link #parse}. */
    final class Parsing {
        static final Pattern AIR = Pattern.compile(
                "(?i)urn:air:[^:]+:[^:]+:civitai:(\\d+)(?:@(\\d+))?");
        static final Pattern MODEL_PAGE = Pattern.compile("/models/(\\d+)(?:/[^/]*)?/?");
        static final Pattern DOWNLOAD = Pattern.compile("/api/download/models/(\\d+)/?");
        static final Pattern VERSION_API = Pattern.compile("/api/v1/model-versions/(\\d+)/?");

        private Parsing() {}

        static Long query(URI uri, String name) {
            String q = uri.getRawQuery();
            if (q == null) {
                return null;
            }
            for (String pair : q.split("&")) {
                if (pair.startsWith(name + "=")) {
                    try {
                        return Long.valueOf(pair.substring(name.length() + 1));
                    } catch (NumberFormatException e) {
                        return null;
                    }
                }
            }
            return null;
        }
    }
}
