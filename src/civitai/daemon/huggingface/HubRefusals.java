package civitai.daemon.huggingface;

import civitai.daemon.download.fetch.RefusalReader;
import java.net.URI;
import java.util.Locale;

/**
 * What the Hub's refusals mean, in the one wording the API (when an entry is resolved) and the
 * download engine (when a pinned URL is refused later, e.g. a licence revoked or a token
 * removed) both use: gated, unauthorized, forbidden, not_found. Pure; thread-safe.
 */
public record HubRefusals(URI endpoint) implements RefusalReader {
    /**
     * The refusal for {@code status} about {@code ref}, or null when the status is none of the
     * four. {@code gated} is what the Hub said ({@code X-Error-Code: GatedRepo}, or its body).
     */
    static HubAnswer.Refused of(HfReference ref, int status, boolean gated, String errorCode) {
        String page = "https://" + HfReference.HUB_HOST + "/" + ref.repo();
        return switch (status) {
            case 401 -> gated
                    ? new HubAnswer.Refused("gated",
                            "accept the licence at " + page + " and set hf_token")
                    : new HubAnswer.Refused("unauthorized",
                            ref.repo() + " is private or missing: set hf_token");
            case 403 -> new HubAnswer.Refused("forbidden",
                    "hf_token has no access to " + ref.repo());
            case 404 -> new HubAnswer.Refused("not_found",
                    (errorCode == null || errorCode.isEmpty() ? "not found"
                    : errorCode) + ": " + ref.path() + " at " + ref.revision() + " in "
                    + ref.repo());
            default -> null;
        };
    }

    /** A refusal of a download from the endpoint, read from the status and the body's words. */
    @Override
    public Reason read(URI from, int status, String contentType, String excerpt) {
        if (!HubRequests.sameAuthority(from, endpoint)) {
            return null;
        }
        String authority = endpoint.getRawAuthority().toLowerCase(Locale.ROOT);
        HfReference ref = HfReference.parseLink(from.toString(), authority).orElse(null);
        if (ref == null) {
            return null;
        }
        String words = excerpt == null ? "" : excerpt.toLowerCase(Locale.ROOT);
        // the Hub's body for a gated repo: "Access to model x is restricted ... Please log in."
        boolean gated = words.contains("gated") || words.contains("restricted");
        HubAnswer.Refused refused = of(ref, status, gated, null);
        return refused == null ? null : new Reason(refused.reason(), refused.message());
    }
}
