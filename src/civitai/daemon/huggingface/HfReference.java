package civitai.daemon.huggingface;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One file in a Hugging Face repo at a revision: parsed from a {@code /resolve/} or {@code /blob/}
 * link (a blob link is the page the Hub's "copy link" gives; the file itself is at resolve) or
 * from an entry's {@code huggingface} and {@code revision} fields. {@code repo} keeps the
 * {@code datasets/} or {@code spaces/} prefix because the Hub's URLs do.
 */
public record HfReference(String repo, String revision, String path) {
    /** The revision an entry without one means, as the Hub's own clients do. */
    public static final String DEFAULT_REVISION = "main";

    /** The Hub's public host: its links are fetched through the configured endpoint instead. */
    public static final String HUB_HOST = "huggingface.co";

    private static final Pattern LINK = Pattern.compile(
            "/((?:datasets/|spaces/)?[^/]+/[^/]+)/(?:resolve|blob)/([^/]+)/(.+)");
    private static final Pattern SHORT =
            Pattern.compile("((?:datasets/|spaces/)?[^/]+/[^/]+)/(.+)");
    private static final Pattern COMMIT = Pattern.compile("[0-9a-f]{40}");

    public HfReference {
        if (repo == null || revision == null || path == null || repo.isBlank() || revision.isBlank()
                || path.isBlank() || path.endsWith("/") || hasDotSegment(path)
                || hasDotSegment(repo)) {
            throw new IllegalArgumentException("not a Hugging Face file: " + repo + " " + revision
                    + " " + path);
        }
    }

    /**
     * Parses a link on the Hub's host or on {@code endpointAuthority} (the configured
     * {@code hf_endpoint}'s host[:port], so a mirror or a test server works too). The query
     * ({@code ?download=true} and the like) is ignored.
     */
    public static Optional<HfReference> parseLink(String text, String endpointAuthority) {
        if (text == null) {
            return Optional.empty();
        }
        URI uri;
        try {
            uri = new URI(text.strip());
        } catch (URISyntaxException e) {
            return Optional.empty();
        }
        String host = uri.getHost() == null ? "" : uri.getHost().toLowerCase(Locale.ROOT);
        String authority = uri.getRawAuthority() == null ? ""
                : uri.getRawAuthority().toLowerCase(Locale.ROOT);
        boolean hub = host.equals(HUB_HOST) || host.equals("www." + HUB_HOST);
        if (!hub && !authority.equals(endpointAuthority)) {
            return Optional.empty();
        }
        Matcher m = LINK.matcher(uri.getPath() == null ? "" : uri.getPath());
        return m.matches() ? make(m.group(1), m.group(2), m.group(3)) : Optional.empty();
    }

    /** Parses an entry's {@code "huggingface": "owner/name/path"} with its optional revision. */
    public static Optional<HfReference> parseEntry(String repoAndPath, String revision) {
        if (repoAndPath == null) {
            return Optional.empty();
        }
        Matcher m = SHORT.matcher(repoAndPath.strip());
        String rev = revision == null || revision.isBlank() ? DEFAULT_REVISION : revision.strip();
        return m.matches() ? make(m.group(1), rev, m.group(2)) : Optional.empty();
    }

    /** A revision that is a full commit id never moves: such an entry is never an update. */
    public boolean pinned() {
        return COMMIT.matcher(revision).matches();
    }

    /** The file's name, the last segment of its path. */
    public String fileName() {
        return path.substring(path.lastIndexOf('/') + 1);
    }

    /** The resolve URL under {@code endpoint} at {@code rev} (the commit, once resolved). */
    public URI resolveUri(URI endpoint, String rev) {
        String base = endpoint.toString().replaceAll("/+$", "");
        return URI.create(base + "/" + repo + "/resolve/" + rev + "/" + path);
    }

    /**
     * A Hub URL as it may be shown or kept: without user-info or query, where a mirror's endpoint
     * may carry a secret; empty when it is not a URL.
     */
    public static String bare(String url) {
        try {
            URI u = new URI(url);
            return new URI(u.getScheme(), null, u.getHost(), u.getPort(), u.getPath(), null, null)
                    .toString();
        } catch (URISyntaxException e) {
            return "";
        }
    }

    private static Optional<HfReference> make(String repo, String revision, String path) {
        try {
            return Optional.of(new HfReference(repo, revision, path));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** A {@code ..} or {@code .} segment could climb out of the repo on a mirror: refused. */
    private static boolean hasDotSegment(String s) {
        for (String seg : s.split("/")) {
            if (seg.equals("..") || seg.equals(".") || seg.isEmpty()) {
                return true;
            }
        }
        return false;
    }
}
