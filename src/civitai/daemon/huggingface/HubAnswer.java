package civitai.daemon.huggingface;

import java.net.URI;
import java.time.Duration;

/** What the Hub said about one file: where it is pinned and how to verify it, or why not. */
public sealed interface HubAnswer {
    /**
     * The file at a commit. {@code sha256} is the Hub's for an LFS file; a git-stored one has its
     * {@code gitSha1} ({@code sha1("blob <len>\0" + bytes)}) instead, and a {@code sha256} only
     * once its bytes were read and matched that ({@link HubResolver#withSha256}). {@code pinned} is
     * the resolve URL at the commit: the signed CDN URL is never kept.
     */
    record Resolved(String commit, String sha256, String gitSha1, long size,
            URI pinned) implements HubAnswer {}

    /**
     * A refusal a user can act on: {@code reason} is gated, forbidden, not_found or unauthorized.
     */
    record Refused(String reason, String message) implements HubAnswer {}

    /** 429: every request to the Hub waits this long (from Retry-After or RateLimit's t=). */
    record RateLimited(Duration pause) implements HubAnswer {}

    /** Anything else (5xx, an answer without a commit): worth a retry later. */
    record Failed(String message) implements HubAnswer {}
}
