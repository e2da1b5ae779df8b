package civitai.daemon.http.intake;

import civitai.daemon.civitai.Reference;
import civitai.daemon.civitai.Resolver;
import civitai.daemon.http.server.ApiException;
import civitai.daemon.http.server.Request;
import civitai.daemon.huggingface.HfEntries;
import civitai.daemon.huggingface.HfReference;
import civitai.daemon.huggingface.HubAnswer;
import civitai.daemon.huggingface.HubResolver;
import com.eclipsesource.json.JsonObject;
import com.eclipsesource.json.JsonValue;
import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;

/**
 * Entries given as Civitai references rather than raw URLs: {@code {"civitai": "<link or AIR>"}},
 * {@code {"modelId": 4201}}, {@code {"versionId": 130072}}, {@code {"sha256": "<hash>"}} (the
 * Civitai file with that hash), {@code {"hash": "<short hash>"}} (the same by any hash type, such
 * as the AutoV2 an A1111 image names; the job is then verified by the file's full SHA-256), or a
 * Civitai link in {@code url} without a {@code model_type}; and Hugging Face files, {@code {"url":
 * "<hub link>", "model_type": ...}} or {@code {"huggingface": "owner/name/path", "revision": ...,
 * "model_type": ...}}, pinned to the commit the Hub names with the Hub's SHA-256 expected. Each is
 * resolved into a full entry; the caller's other fields (priority, model_type, notes…) are kept on
 * top. Thread-safe.
 */
public final class References {
    private static final Set<String> REFERENCE_KEYS =
            Set.of("civitai", "url", "modelId", "versionId", "fileId", "hash");
    /**
     * A hash of any type Civitai's by-hash lookup knows: SHA-256, AutoV2 (10 hex), AutoV3, BLAKE3,
     * CRC32.
     */
    private static final String CIVITAI_HASH = "[0-9A-Fa-f]{8,64}";

    private final Resolver resolver;
    private final String civitaiAuthority;
    private final HubResolver hub;
    private final String hubAuthority;

    /** A reference that could not be resolved; the message is for the client. */
    public static final class NotResolved extends Exception {
        private static final long serialVersionUID = 1L;
        public final transient Duration retryAfter;
        public final String code;

        NotResolved(String message) {
            this(message, null);
        }

        NotResolved(String message, Duration retryAfter) {
            this(message, retryAfter, retryAfter == null ? "bad_request" : "civitai_rate_limited");
        }

        /** {@code code} names the reason for a client that acts on it (gated, forbidden, …). */
        NotResolved(String message, Duration retryAfter, String code) {
            super(message);
            this.retryAfter = retryAfter;
            this.code = code;
        }

        /** The API answer: 503 with Retry-After while a source is rate limiting, else 400. */
        public ApiException toApi(Request r) {
            if (retryAfter == null) {
                return new ApiException(400, code, getMessage());
            }
            r.exchange.getResponseHeaders()
                    .set("Retry-After", Long.toString(Math.max(1, retryAfter.toSeconds())));
            return new ApiException(503, code, getMessage());
        }
    }

    public References(Resolver resolver, String civitaiAuthority, HubResolver hub,
            String hubAuthority) {
        this.resolver = resolver;
        this.civitaiAuthority = civitaiAuthority;
        this.hub = hub;
        this.hubAuthority = hubAuthority;
    }

    /** The entry itself when it is not a reference; the resolved entry when it is. */
    public JsonValue resolveIfReference(JsonValue body) throws NotResolved {
        if (!body.isObject()) {
            return body;
        }
        JsonObject given = body.asObject();
        Optional<HfReference> hubFile;
        try {
            hubFile = HfEntries.find(given, hubAuthority);
        } catch (HfEntries.Invalid e) {
            throw new NotResolved(e.getMessage());
        }
        if (hubFile.isPresent()) {
            return fromHub(given, hubFile.get());
        }
        Optional<Reference> ref = find(given);
        if (ref.isEmpty()) {
            return body;
        }
        JsonObject entry;
        try {
            entry = resolver.resolve(ref.get());
        } catch (Resolver.Unresolvable e) {
            throw new NotResolved("cannot resolve the Civitai reference: " + e.getMessage(),
                    e.retryAfter());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new NotResolved("interrupted while asking Civitai");
        }
        for (JsonObject.Member m : given) {
            if (!REFERENCE_KEYS.contains(m.getName())) {
                entry.set(m.getName(), m.getValue());
            }
        }
        return entry;
    }

    /**
     * The Hub's answer for the file, turned into a pinned entry or a refusal the user can act on.
     */
    private JsonObject fromHub(JsonObject given, HfReference ref) throws NotResolved {
        HubAnswer answer;
        try {
            answer = hub.resolveForDownload(ref);
        } catch (IOException e) {
            throw new NotResolved("cannot reach the Hugging Face Hub: " + e.getMessage(),
                    Duration.ofSeconds(30), "hub_unreachable");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new NotResolved("interrupted while asking the Hugging Face Hub");
        }
        try {
            return switch (answer) {
                case HubAnswer.Resolved r -> HfEntries.resolved(given, ref, r);
                case HubAnswer.Refused r -> throw new NotResolved(r.message(), null, r.reason());
                case HubAnswer.RateLimited r -> throw new NotResolved("the Hugging Face Hub is rate limiting"
                        + " this daemon; ask again in " + r.pause().toSeconds() + " s (downloads wait on their own)",
                        r.pause(), "hub_rate_limited");
                case HubAnswer.Failed r -> throw new NotResolved(r.message(), Duration.ofSeconds(30),
                        "hub_unavailable");
            };
        } catch (HfEntries.Invalid e) {
            throw new NotResolved(e.getMessage(), null, "sha256_mismatch");
        }
    }

    /** The Hub's endpoint ({@code hf_endpoint}) whose links are resolved as Hub links, as it may be shown. */
    public String hubEndpoint() {
        return hub.endpoint();
    }

    /** Whether {@code url} is a Civitai link, download URL or AIR this daemon resolves. */
    public boolean isCivitai(String url) {
        return Reference.parse(url, civitaiAuthority).isPresent();
    }

    private Optional<Reference> find(JsonObject o) throws NotResolved {
        JsonValue civitai = o.get("civitai");
        if (civitai != null) {
            if (!civitai.isString()) {
                throw new NotResolved("\"civitai\" must be a link, an AIR or a download URL");
            }
            return Optional.of(Reference.parse(civitai.asString(), civitaiAuthority)
                    .orElseThrow(() -> new NotResolved("\"" + civitai.asString()
                            + "\" is not a Civitai model link, download URL or AIR")));
        }
        JsonValue url = o.get("url");
        if (url == null || url.isNull()) {
            Long fileId = id(o, "fileId");
            Long versionId = id(o, "versionId");
            Long modelId = id(o, "modelId");
            if (modelId != null) {
                return Optional.of(new Reference.Model(modelId, versionId, fileId));
            }
            if (versionId != null) {
                return Optional.of(new Reference.Version(versionId, fileId));
            }
            JsonValue sha = o.get("sha256");
            if (sha != null && sha.isString() && sha.asString().matches("[0-9A-Fa-f]{64}")) {
                // which Civitai file is this?
                return Optional.of(new Reference.Hash(sha.asString()));
            }
            JsonValue hash = o.get("hash");
            if (hash != null) {
                if (!hash.isString() || !hash.asString().matches(CIVITAI_HASH)) {
                    throw new NotResolved("\"hash\" must be 8 to 64 hex digits (SHA-256, AutoV2,"
                            + " AutoV3, BLAKE3 or CRC32), not " + hash);
                }
                return Optional.of(new Reference.Hash(hash.asString()));
            }
            return Optional.empty();
        }
        if (o.get("model_type") == null && url.isString()) {
            return Reference.parse(url.asString(), civitaiAuthority);
        }
        return Optional.empty();
    }

    private static Long id(JsonObject o, String key) throws NotResolved {
        JsonValue v = o.get(key);
        if (v == null || v.isNull()) {
            return null;
        }
        try {
            long n = v.isString() ? Long.parseLong(v.asString()) : v.asLong();
            if (n > 0) {
                return n;
            }
        } catch (NumberFormatException | UnsupportedOperationException e) {
            // reported below
        }
        throw new NotResolved("\"" + key + "\" must be a positive whole number, not " + v);
    }
}
