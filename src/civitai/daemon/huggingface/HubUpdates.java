package civitai.daemon.huggingface;

import civitai.daemon.events.Event;
import civitai.daemon.log.DaemonLog;
import civitai.daemon.manifest.EntryUpgrade;
import civitai.daemon.manifest.ManifestEntry;
import com.eclipsesource.json.JsonArray;
import com.eclipsesource.json.JsonObject;
import com.eclipsesource.json.JsonValue;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The update check of the manifest's Hugging Face entries. An entry asked at a branch (its
 * {@code revision} is not a commit id) is resolved again at the branch's head, one HEAD per file,
 * {@code pace} apart; a SHA-256 (or git SHA-1) that is not the entry's is an update, applied by the
 * entry's policy as Civitai's are ({@link EntryUpgrade}) and announced as a {@code model_update}
 * with {@code source: huggingface}; a changed non-LFS file is then read once, so its new job
 * expects a SHA-256 too. An entry pinned to a commit never changes and is not asked.
 * A refusal or a failure is reported for that file and changes nothing; a 429 ends the Hub's part
 * of the run (the rest wait for the next check). Called by the update checker's one thread.
 */
public final class HubUpdates {
    /** How one Hub file stood at the last check; {@code newestCommit} is null when not known. */
    public record FileState(String repo, String path, String revision, String status, String commit,
            String newestCommit, String message) {}

    /** The fields a resolve writes: the new answer's, never the old entry's. */
    private static final List<String> RESOLVED_KEYS =
            List.of("sha256", "git_sha1", "size", "commit", "url");

    private final HubResolver resolver;
    private final EntryUpgrade upgrade;
    private final Consumer<Event> publish;
    private final DaemonLog log;
    private final Clock clock;
    private final Duration pace;

    public HubUpdates(HubResolver resolver, EntryUpgrade upgrade, Consumer<Event> publish,
            DaemonLog log, Clock clock, Duration pace) {
        this.resolver = resolver;
        this.upgrade = upgrade;
        this.publish = publish;
        this.log = log;
        this.clock = clock;
        this.pace = pace;
    }

    /** Checks the Hub entries of {@code manifest}, in order; the others are not this class's. */
    public List<FileState> check(JsonArray manifest) throws InterruptedException {
        Map<HfReference, List<JsonObject>> byFile = branchEntries(manifest);
        List<FileState> states = new ArrayList<>();
        boolean first = true;
        for (var e : byFile.entrySet()) {
            if (!first) {
                Thread.sleep(pace);  // the Hub counts every HEAD against one quota
            }
            first = false;
            HubAnswer answer;
            try {
                answer = resolver.resolve(e.getKey());
            } catch (IOException ex) {
                answer = new HubAnswer.Failed("the Hub did not answer: " + ex.getMessage());
            }
            states.addAll(checkFile(e.getKey(), e.getValue(), answer));
            if (answer instanceof HubAnswer.RateLimited) {
                break;
            }
        }
        return states;
    }

    /**
     * Entries asked at a branch, by the file they name; pinned ones (commit or policy) are left
     * out.
     */
    private static Map<HfReference, List<JsonObject>> branchEntries(JsonArray manifest) {
        Map<HfReference, List<JsonObject>> byFile = new LinkedHashMap<>();
        for (JsonValue v : manifest) {
            if (!v.isObject() || !"huggingface".equals(text(v.asObject(), "source", null))
                    || EntryUpgrade.pinned(v.asObject())) {
                continue;
            }
            JsonObject entry = v.asObject();
            HfReference ref;
            try {
                ref = new HfReference(text(entry, "repo", null),
                        text(entry, "revision", HfReference.DEFAULT_REVISION),
                        text(entry, "path", null));
            } catch (IllegalArgumentException | UnsupportedOperationException e) {
                continue;  // not an entry HfEntries wrote: nothing to ask the Hub
            }
            if (!ref.pinned()) {
                byFile.computeIfAbsent(ref, k -> new ArrayList<>()).add(entry);
            }
        }
        return byFile;
    }

    private List<FileState> checkFile(HfReference ref, List<JsonObject> entries, HubAnswer answer)
            throws InterruptedException {
        return switch (answer) {
            case HubAnswer.Resolved r -> compare(ref, entries, r);
            case HubAnswer.Refused r -> fail(ref, entries, r.reason() + ": " + r.message());
            case HubAnswer.RateLimited r ->
                    fail(ref, entries, "the Hub asks to wait " + r.pause().toSeconds()
                    + " s; the other Hub files wait for the next check");
            case HubAnswer.Failed f -> fail(ref, entries, f.message());
        };
    }

    private List<FileState> compare(HfReference ref, List<JsonObject> entries,
            HubAnswer.Resolved hub) throws InterruptedException {
        List<FileState> states = new ArrayList<>();
        // append keeps the old entry beside the new one: once the new file is recorded, it is not
        // news
        boolean recorded = entries.stream().anyMatch(e -> !changed(e, hub));
        for (JsonObject entry : entries) {
            String commit = text(entry, "commit", null);
            if (recorded || !changed(entry, hub)) {
                states.add(new FileState(ref.repo(), ref.path(), ref.revision(), "current", commit,
                        hub.commit(), null));
                continue;
            }
            states.add(update(ref, entry, hub));
        }
        return states;
    }

    /**
     * A text field of a hand-editable entry: its default when absent or not text (never a throw).
     */
    private static String text(JsonObject entry, String key, String fallback) {
        JsonValue v = entry.get(key);
        return v != null && v.isString() ? v.asString() : fallback;
    }

    /** A new hash at the head; a file whose hash the Hub does not give cannot be told changed. */
    private static boolean changed(JsonObject entry, HubAnswer.Resolved hub) {
        String sha256 = text(entry, "sha256", null);
        String gitSha1 = text(entry, "git_sha1", null);
        if (sha256 != null && hub.sha256() != null) {
            return !sha256.equalsIgnoreCase(hub.sha256());
        }
        return gitSha1 != null && hub.gitSha1() != null && !gitSha1.equalsIgnoreCase(hub.gitSha1());
    }

    private FileState update(HfReference ref, JsonObject entry, HubAnswer.Resolved head)
            throws InterruptedException {
        HubAnswer checked = withSha256(ref, head);
        if (!(checked instanceof HubAnswer.Resolved hub)) {
            return checkFile(ref, List.of(entry), checked).get(0);
        }
        String commit = text(entry, "commit", null);
        String why = "new file at " + ref.revision() + " (commit " + hub.commit() + ", had "
                + commit + ")";
        JsonObject next;
        try {
            next = HfEntries.resolved(withoutResolvedFields(entry), ref, hub);
        } catch (HfEntries.Invalid e) {
            return fail(ref, List.of(entry), e.getMessage()).get(0);
        }
        if (EntryUpgrade.notifyOnly(entry)) {
            announce(ref, hub, next, why + "; not downloaded (update: notify)");
            return new FileState(ref.repo(), ref.path(), ref.revision(), "notified", commit,
                    hub.commit(), why);
        }
        try {
            ManifestEntry queued = upgrade.apply(entry, next, hub.commit().substring(0, 8));
            announce(ref, hub, next, why + "; queued " + queued.modelType() + "/"
                    + queued.filename());
            return new FileState(ref.repo(), ref.path(), ref.revision(), "updated", commit,
                    hub.commit(), why);
        } catch (EntryUpgrade.Unrecorded e) {
            return fail(ref, List.of(entry), e.getMessage()).get(0);
        }
    }

    /**
     * The new file's SHA-256 for its job: a non-LFS file's bytes are read for it (not for a check).
     */
    private HubAnswer withSha256(HfReference ref, HubAnswer.Resolved head)
            throws InterruptedException {
        try {
            return resolver.withSha256(ref, head);
        } catch (IOException e) {
            return new HubAnswer.Failed("the Hub did not answer: " + e.getMessage());
        }
    }

    private static JsonObject withoutResolvedFields(JsonObject entry) {
        JsonObject out = new JsonObject();
        for (JsonObject.Member m : entry) {
            if (!RESOLVED_KEYS.contains(m.getName())) {
                out.add(m.getName(), m.getValue());
            }
        }
        return out;
    }

    private void announce(HfReference ref, HubAnswer.Resolved hub, JsonObject next, String what) {
        log.info("upgrade: huggingface " + ref.repo() + "/" + ref.path() + "@" + ref.revision()
                + ": " + what);
        publish.accept(new Event.ModelUpdate(Instant.now(clock),
                new Event.HubFile(ref.repo(), ref.path(), ref.revision(), hub.commit()),
                hub.sha256() == null ? "" : hub.sha256(), next.getString("filename", "")));
    }

    private List<FileState> fail(HfReference ref, List<JsonObject> entries, String error) {
        log.warn("update check: huggingface " + ref.repo() + "/" + ref.path() + "@" + ref.revision()
                + ": " + error);
        publish.accept(new Event.ModelUpdateError(Instant.now(clock),
                new Event.HubFile(ref.repo(), ref.path(), ref.revision()), error));
        return entries.stream().map(e ->
                new FileState(ref.repo(), ref.path(), ref.revision(), "error",
                text(e, "commit", null), null, error)).toList();
    }
}
