package civitai.daemon.http;

import civitai.daemon.civitai.Reference;
import civitai.daemon.civitai.Resolver;
import com.eclipsesource.json.JsonObject;
import com.eclipsesource.json.JsonValue;
import java.util.Optional;
import java.util.Set;

/**
 * Entries given as Civitai references rather than raw URLs: {@code {"civitai": "<link or AIR>"}},
 * {@code {"modelId": 4201}}, {@code {"versionId": 130072}}, {@code {"sha256": "<hash>"}} (the
 * Civitai file with that hash), or a Civitai link in {@code url} without a {@code model_type}. Each is resolved into a full entry; the caller's other fields
 * (priority, model_type, notes…) are kept on top. Thread-safe.
 */
public final class References {
    private static final Set<String> REFERENCE_KEYS = Set.of("civitai", "url", "modelId", "versionId", "fileId");

    private final Resolver resolver;
    private final String civitaiAuthority;

    /** A reference that could not be resolved; the message is for the client. */
    static final class NotResolved extends Exception {
        private static final long serialVersionUID = 1L;
        final transient java.time.Duration retryAfter;

        NotResolved(String message) {
            this(message, null);
        }

        NotResolved(String message, java.time.Duration retryAfter) {
            super(message);
            this.retryAfter = retryAfter;
        }

        /** The API answer: 503 with Retry-After while Civitai is rate limiting, else 400. */
        ApiException toApi(Request r) {
            if (retryAfter == null) {
                return ApiException.badRequest(getMessage());
            }
            r.exchange.getResponseHeaders().set("Retry-After", Long.toString(retryAfter.toSeconds()));
            return new ApiException(503, "civitai_rate_limited", getMessage());
        }
    }

    References(Resolver resolver, String civitaiAuthority) {
        this.resolver = resolver;
        this.civitaiAuthority = civitaiAuthority;
    }

    /** The entry itself when it is not a reference; the resolved entry when it is. */
    JsonValue resolveIfReference(JsonValue body) throws NotResolved {
        if (!body.isObject()) {
            return body;
        }
        JsonObject given = body.asObject();
        Optional<Reference> ref = find(given);
        if (ref.isEmpty()) {
            return body;
        }
        JsonObject entry;
        try {
            entry = resolver.resolve(ref.get());
        } catch (Resolver.Unresolvable e) {
            throw new NotResolved("cannot resolve the Civitai reference: " + e.getMessage(), e.retryAfter());
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

    /** Whether {@code url} is a Civitai link, download URL or AIR this daemon resolves. */
    boolean isCivitai(String url) {
        return Reference.parse(url, civitaiAuthority).isPresent();
    }

    private Optional<Reference> find(JsonObject o) throws NotResolved {
        JsonValue civitai = o.get("civitai");
        if (civitai != null) {
            if (!civitai.isString()) {
                throw new NotResolved("\"civitai\" must be a link, an AIR or a download URL");
            }
            return Optional.of(Reference.parse(civitai.asString(), civitaiAuthority).orElseThrow(() -> new NotResolved(
                    "\"" + civitai.asString() + "\" is not a Civitai model link, download URL or AIR")));
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
                return Optional.of(new Reference.Hash(sha.asString()));  // which Civitai file is this?
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
