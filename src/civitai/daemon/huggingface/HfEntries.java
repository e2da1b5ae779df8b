package civitai.daemon.huggingface;

import com.eclipsesource.json.JsonObject;
import com.eclipsesource.json.JsonValue;
import java.util.Optional;
import java.util.Set;

/**
 * Entries that name a Hugging Face file: {@code {"url": "<hub link>", "model_type": ...}} or
 * {@code {"huggingface": "owner/name/path", "revision": ..., "model_type": ...}}. Finding the
 * reference and turning the Hub's answer into the full entry live here, so an API route only has
 * to call them. {@code model_type} is required: the Hub does not know it.
 */
public final class HfEntries {
    /** The fields the reference itself is written in; the caller's others are kept. */
    private static final Set<String> REFERENCE_KEYS = Set.of("huggingface", "url", "revision");

    /**
     * An entry that names a Hub file but cannot become a job; the message is for the client (400).
     */
    public static final class Invalid extends Exception {
        private static final long serialVersionUID = 1L;

        public Invalid(String message) {
            super(message);
        }
    }

    private HfEntries() {}

    /**
     * The Hub file {@code entry} names, if any; an entry that names one badly is {@link Invalid}.
     */
    public static Optional<HfReference> find(JsonObject entry, String endpointAuthority)
            throws Invalid {
        JsonValue hf = entry.get("huggingface");
        Optional<HfReference> ref;
        if (hf != null) {
            JsonValue rev = entry.get("revision");
            if (!hf.isString() || (rev != null && !rev.isNull() && !rev.isString())) {
                throw new Invalid("\"huggingface\" must be \"owner/name/path\" and"
                        + " \"revision\" a string");
            }
            ref = Optional.of(HfReference.parseEntry(hf.asString(),
                    rev == null || rev.isNull() ? null : rev.asString())
                            .orElseThrow(() -> new Invalid("\"" + hf.asString()
                                    + "\" is not owner/name/path/to/file")));
        } else {
            JsonValue url = entry.get("url");
            ref = url != null && url.isString()
                    ? HfReference.parseLink(url.asString(), endpointAuthority)
                    : Optional.empty();
        }
        if (ref.isPresent()) {
            JsonValue type = entry.get("model_type");
            if (type == null || !type.isString() || type.asString().isBlank()) {
                throw new Invalid("a Hugging Face file needs \"model_type\" (the Hub does not"
                        + " say what it is)");
            }
        }
        return ref;
    }

    /**
     * The full entry: the URL pinned to the resolved commit (never the signed CDN URL), the Hub's
     * SHA-256 as the expected hash, and where it came from. A {@code sha256} the caller gave that
     * is not the Hub's is refused, naming both.
     */
    public static JsonObject resolved(JsonObject given, HfReference ref, HubAnswer.Resolved hub)
            throws Invalid {
        JsonValue asked = given.get("sha256");
        Optional<String> clash = HubResolver.disagreement(asked != null && asked.isString()
                ? asked.asString() : null, hub);
        if (clash.isPresent()) {
            throw new Invalid(clash.get());
        }
        JsonObject entry = new JsonObject();
        for (JsonObject.Member m : given) {
            if (!REFERENCE_KEYS.contains(m.getName())) {
                entry.set(m.getName(), m.getValue());
            }
        }
        entry.set("url", hub.pinned().toString())
                .set("source", "huggingface")
                .set("repo", ref.repo())
                .set("path", ref.path())
                .set("revision", ref.revision())
                .set("commit", hub.commit());
        if (entry.get("filename") == null) {
            entry.set("filename", ref.fileName());
        }
        if (hub.sha256() != null) {
            entry.set("sha256", hub.sha256());
        }
        if (hub.gitSha1() != null) {
            entry.set("git_sha1", hub.gitSha1());
        }
        if (hub.size() >= 0) {
            entry.set("size", hub.size());
        }
        return entry;
    }
}
