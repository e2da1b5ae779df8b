package civitai.daemon.huggingface;

import civitai.daemon.download.fetch.RateGate;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Asks the Hub (at the configured endpoint) where a file is, without following the redirect to
 * the CDN: the first answers carry the commit, the SHA-256 and the size, the CDN's do not. Relative
 * redirects (a renamed repo, {@code /api/resolve-cache/} for small files) are the Hub's own answer
 * and are followed. The token goes to the endpoint's host only, never to the CDN. A non-LFS file
 * has no SHA-256 of the Hub's: {@link #resolveForDownload} reads it ({@link NonLfsFiles}) so its
 * job is verified by one all the same.
 */
public final class HubResolver {
    /**
     * How long a 429 from the Hub that names no time holds every request to it (its gate's pause,
     * for downloads as for the resolver): the Hub's quota windows are minutes long.
     */
    public static final Duration QUOTA_PAUSE = Duration.ofSeconds(60);
    private static final int MAX_HOPS = 5;
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
    private static final Pattern SHA1 = Pattern.compile("[0-9a-f]{40}");

    private final HubRequests requests;
    private final NonLfsFiles nonLfs;

    /**
     * {@code token} may be null or blank: public repos need none. {@code gate} is the endpoint's,
     * shared with the engine's downloads from it: while it is closed the Hub is not asked and the
     * answer is {@link HubAnswer.RateLimited} at once.
     */
    public HubResolver(HttpClient http, URI endpoint, String token, RateGate gate) {
        this.requests = new HubRequests(http, endpoint, token, gate);
        this.nonLfs = new NonLfsFiles(requests, MAX_HOPS, Duration.ofSeconds(60));
    }

    /**
     * Where every Hub request goes ({@code hf_endpoint}), as it may be shown: never a secret in it.
     */
    public String endpoint() {
        return HfReference.bare(requests.endpoint().toString());
    }

    /** Where the file is and what the Hub says of it: one HEAD per hop within the Hub. */
    public HubAnswer resolve(HfReference ref) throws IOException, InterruptedException {
        try {
            return pin(ref);
        } catch (HubRequests.Held held) {
            return new HubAnswer.RateLimited(held.pause());
        }
    }

    private HubAnswer pin(HfReference ref)
            throws IOException, InterruptedException, HubRequests.Held {
        URI endpoint = requests.endpoint();
        URI at = ref.resolveUri(endpoint, ref.revision());
        Pinning seen = new Pinning();
        for (int hop = 0; hop < MAX_HOPS; hop++) {
            HttpResponse<Void> r = requests.send("HEAD", at,
                    HttpResponse.BodyHandlers.discarding());
            seen.read(r);
            int status = r.statusCode();
            if (status >= 300 && status < 400) {
                Optional<String> location = r.headers().firstValue("Location");
                if (location.isEmpty()) {
                    return new HubAnswer.Failed("a redirect without a Location from "
                            + at.getHost());
                }
                URI next = at.resolve(location.get());
                if (!requests.onEndpoint(next)) {
                    return seen.answer(ref, endpoint); // the CDN: not asked, its signature not kept
                }
                at = next;
                continue;
            }
            if (status == 200) {
                return seen.answer(ref, endpoint);
            }
            return refusal(ref, r);
        }
        return new HubAnswer.Failed("more than " + MAX_HOPS + " redirects within the Hub");
    }

    /**
     * {@link #resolve}, with a non-LFS file's bytes checked and its SHA-256 given: what a job
     * needs.
     */
    public HubAnswer resolveForDownload(HfReference ref) throws IOException, InterruptedException {
        HubAnswer answer = resolve(ref);
        return answer instanceof HubAnswer.Resolved r ? withSha256(ref, r) : answer;
    }

    /**
     * {@code hub} itself when the Hub named the file's SHA-256 (an LFS file) or no hash at all;
     * for a non-LFS file, its bytes at the commit checked against its git SHA-1, and their SHA-256.
     */
    public HubAnswer withSha256(HfReference ref, HubAnswer.Resolved hub)
            throws IOException, InterruptedException {
        return hub.sha256() != null || hub.gitSha1() == null ? hub : nonLfs.verify(ref, hub);
    }

    /**
     * A manifest's own sha256 that is not the Hub's is refused before any byte, naming both, so a
     * typo or a changed file is told apart from a damaged download.
     */
    public static Optional<String> disagreement(String manifestSha256, HubAnswer.Resolved hub) {
        if (manifestSha256 == null || manifestSha256.isBlank() || hub.sha256() == null
                || manifestSha256.strip().equalsIgnoreCase(hub.sha256())) {
            return Optional.empty();
        }
        return Optional.of("the manifest says sha256 "
                + manifestSha256.strip().toLowerCase(Locale.ROOT)
                + " but the Hub says " + hub.sha256() + " at commit " + hub.commit());
    }

    /** What a status that is neither a file nor a redirect means: a refusal or a failure. */
    static HubAnswer refusal(HfReference ref, HttpResponse<?> r) {
        String code = r.headers().firstValue("X-Error-Code").orElse("");
        HubAnswer refused = HubRefusals.of(ref, r.statusCode(), code.equals("GatedRepo"), code);
        return refused != null ? refused
                : new HubAnswer.Failed("the Hub answered " + r.statusCode());
    }

    /** The Hub's headers as they arrive over the hops: the first one seen of each counts. */
    private static final class Pinning {
        String commit;
        String linkedEtag;
        String etag;
        long size = -1;

        void read(HttpResponse<Void> r) {
            if (commit == null) {
                commit = r.headers().firstValue("X-Repo-Commit").orElse(null);
            }
            if (linkedEtag == null) {
                linkedEtag = r.headers().firstValue("X-Linked-Etag").map(Pinning::unquote)
                        .orElse(null);
            }
            if (size < 0) {
                size = r.headers().firstValue("X-Linked-Size").map(Long::parseLong).orElse(-1L);
            }
            if (r.statusCode() == 200) {
                etag = r.headers().firstValue("ETag").map(Pinning::unquote).orElse(null);
                if (size < 0) {
                    size = r.headers().firstValueAsLong("Content-Length").orElse(-1L);
                }
            }
        }

        HubAnswer answer(HfReference ref, URI endpoint) {
            if (commit == null || !SHA1.matcher(commit).matches()) {
                return new HubAnswer.Failed("the Hub named no commit for " + ref.path());
            }
            String sha256 = linkedEtag != null && SHA256.matcher(linkedEtag).matches() ? linkedEtag
                    : null;
            String sha1 = sha256 == null && etag != null && SHA1.matcher(etag).matches() ? etag
                    : null;
            return new HubAnswer.Resolved(commit, sha256, sha1, size,
                    ref.resolveUri(endpoint, commit));
        }

        static String unquote(String v) {
            String s = v.strip();
            if (s.startsWith("W/")) {
                s = s.substring(2);
            }
            return s.replace("\"", "").toLowerCase(Locale.ROOT);
        }
    }
}
