package civitai.daemon.civitai;

import civitai.daemon.events.Event;
import civitai.daemon.huggingface.HubUpdates;
import civitai.daemon.log.DaemonLog;
import civitai.daemon.manifest.EntryParser;
import civitai.daemon.manifest.EntryUpgrade;
import civitai.daemon.manifest.Manifest;
import civitai.daemon.manifest.ManifestEntry;
import civitai.daemon.manifest.ManifestFile;
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
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * The daily check for new versions. For every manifest entry with a {@code modelId} it asks
 * Civitai for the model (100 models per call), finds the newest published version (by
 * {@code publishedAt}, not by position) and the file matching the entry's choice, and compares
 * version, SHA-256 and {@code updatedAt} with the entry. On a change, by the entry's
 * {@code "update"} policy ({@link EntryUpgrade}): {@code auto} (default) rewrites manifest.json by
 * {@code manifest_mode} and queues the new file; {@code notify} only reports; {@code pin} is never
 * checked. Then the Hugging Face entries asked at a branch ({@link HubUpdates}), under the same
 * policies. Every change is a {@code model_update} event and an "upgrade" line in download.log; an
 * error for one model is a {@code model_update_error} and never stops the others. One run at a
 * time. Thread-safe.
 */
public final class UpdateChecker implements AutoCloseable {
    /** How one model stood at the last check. */
    public record ModelState(long modelId, String status, Long versionId, Long newestVersionId,
            String message) {}

    /**
     * The last run: when, how many Civitai models and Hub files, what changed, what failed
     * ({@code updates} and {@code errors} count both).
     */
    public record Run(Instant started, Instant finished, int checked, int updates, int errors,
            List<ModelState> models, List<HubUpdates.FileState> files) {}

    private final CivitaiClient client;
    private final Resolver resolver;
    private final ManifestFile manifest;
    private final EntryUpgrade upgrade;
    private final HubUpdates hub;
    private final Consumer<Event> publish;
    private final DaemonLog log;
    private final Clock clock;
    private final AtomicBoolean running = new AtomicBoolean();
    private volatile Run last;
    private volatile Thread thread;

    /**
     * @param upgrade applies an update by the entry's policy (the Hub's check shares it)
     * @param publish takes what a check finds ({@link Event.ModelUpdate},
     *                {@link Event.ModelUpdateError}) to the event bus
     */
    public UpdateChecker(CivitaiClient client, Resolver resolver, ManifestFile manifest,
            EntryUpgrade upgrade, HubUpdates hub, Consumer<Event> publish, DaemonLog log,
            Clock clock) {
        this.client = client;
        this.resolver = resolver;
        this.manifest = manifest;
        this.upgrade = upgrade;
        this.hub = hub;
        this.publish = publish;
        this.log = log;
        this.clock = clock;
    }

    public Run last() {
        return last;
    }

    public boolean isRunning() {
        return running.get();
    }

    /** Starts a check on its own thread; false when one is already running. */
    public boolean start() {
        if (!running.compareAndSet(false, true)) {
            return false;
        }
        thread = Thread.ofVirtual().name("update-check").start(() -> {
            try {
                last = check();
            } catch (InterruptedException e) {
                log.info("update check stopped");
            } catch (Throwable t) {  // a scheduled check must never die silently
                log.error("update check failed", t);
            } finally {
                running.set(false);
            }
        });
        return true;
    }

    /** Stops a running check (the daemon is stopping) and waits for it. */
    @Override
    public void close() {
        Thread t = thread;
        if (t != null && t.isAlive()) {
            t.interrupt();
            try {
                t.join(Duration.ofSeconds(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private Run check() throws InterruptedException {
        Instant started = Instant.now(clock);
        JsonArray entries;
        try {
            entries = manifest.read();
        } catch (IOException | Manifest.ManifestException e) {
            log.warn("update check skipped: " + e.getMessage());
            entries = new JsonArray();
        }
        Map<Long, List<JsonObject>> byModel = entriesByModel(entries);
        Map<Long, JsonObject> models = fetchInBulk(new ArrayList<>(byModel.keySet()));
        List<ModelState> states = new ArrayList<>();
        for (var e : byModel.entrySet()) {
            states.addAll(checkModel(e.getKey(), models.get(e.getKey()), e.getValue()));
        }
        List<HubUpdates.FileState> files = hub.check(entries);
        List<String> all = new ArrayList<>(states.stream().map(ModelState::status).toList());
        files.forEach(f -> all.add(f.status()));
        int updates = (int) all.stream().filter(s -> s.equals("updated") || s.equals("notified"))
                .count();
        int errors = (int) all.stream().filter(s -> s.equals("error") || s.equals("deleted"))
                .count();
        log.info("update check: " + byModel.size() + " model(s) and " + files.size()
                + " Hugging Face file(s) checked, " + updates + " update(s), " + errors
                + " error(s)");
        return new Run(started, Instant.now(clock), byModel.size(), updates, errors,
                List.copyOf(states), files);
    }

    private static Map<Long, List<JsonObject>> entriesByModel(JsonArray entries) {
        Map<Long, List<JsonObject>> byModel = new LinkedHashMap<>();
        for (JsonValue v : entries) {
            if (!v.isObject() || EntryUpgrade.pinned(v.asObject())) {
                continue;
            }
            Long modelId = number(v.asObject(), "modelId");
            if (modelId != null) {
                byModel.computeIfAbsent(modelId, k -> new ArrayList<>()).add(v.asObject());
            }
        }
        return byModel;
    }

    /** The models, 100 per call; one a bulk call misses is asked for alone (and 404s precisely). */
    private Map<Long, JsonObject> fetchInBulk(List<Long> ids) throws InterruptedException {
        Map<Long, JsonObject> models = new LinkedHashMap<>();
        for (int i = 0; i < ids.size(); i += 100) {
            List<Long> chunk = ids.subList(i, Math.min(ids.size(), i + 100));
            try {
                models.putAll(client.models(chunk));
            } catch (CivitaiException e) {
                log.warn("update check: bulk lookup failed (" + e.getMessage()
                        + "); asking model by model");
            }
        }
        return models;
    }

    private List<ModelState> checkModel(long modelId, JsonObject fromBulk, List<JsonObject> entries)
            throws InterruptedException {
        List<ModelState> states = new ArrayList<>();
        try {
            long newest = Versions.newest(fromBulk != null ? fromBulk : client.model(modelId));
            JsonObject version = client.version(newest);
            for (JsonObject entry : entries) {
                states.add(checkEntry(modelId, entry, newest, version));
            }
        } catch (CivitaiException e) {
            String status = e.status() == 404 ? "deleted" : "error";
            String message = e.status() == 404
                    ? "model deleted on Civitai (or hidden); entry and file kept" : e.getMessage();
            fail(modelId, message);
            states.add(new ModelState(modelId, status, number(entries.get(0), "versionId"), null,
                    message));
        } catch (Resolver.Unresolvable e) {
            fail(modelId, e.getMessage());
            states.add(new ModelState(modelId, "error", number(entries.get(0), "versionId"), null,
                    e.getMessage()));
        }
        return states;
    }

    private ModelState checkEntry(long modelId, JsonObject entry, long newest, JsonObject version)
            throws Resolver.Unresolvable {
        Long current = number(entry, "versionId");
        JsonObject next = resolver.entryLike(version, entry.getString("filename", null));
        String oldSha = entry.getString("sha256", null);
        String newSha = next.getString("sha256", null);
        boolean newVersion = current == null
                ? oldSha != null && newSha != null && !oldSha.equalsIgnoreCase(newSha)
                : current != newest;
        boolean reuploaded = !newVersion && oldSha != null && newSha != null
                && !oldSha.equalsIgnoreCase(newSha);
        if (!newVersion && !reuploaded) {
            return new ModelState(modelId, "current", current, newest, null);
        }
        String why = newVersion ? "version " + newest + " published (had " + current + ")"
                : "file re-uploaded with a new SHA-256";
        if (EntryUpgrade.notifyOnly(entry)) {
            announce(modelId, next, why + "; not downloaded (update: notify)");
            return new ModelState(modelId, "notified", current, newest, why);
        }
        ManifestEntry parsed;
        try {
            parsed = upgrade.apply(entry, next, "v" + newest);
        } catch (EntryUpgrade.Unrecorded e) {
            throw new Resolver.Unresolvable(e.getMessage());
        }
        announce(modelId, next, why + "; queued " + parsed.modelType() + "/" + parsed.filename());
        return new ModelState(modelId, "updated", current, newest, why);
    }

    private void announce(long modelId, JsonObject next, String what) {
        log.info("upgrade: model " + modelId + ": " + what);
        publish.accept(new Event.ModelUpdate(Instant.now(clock), new Event.CivitaiVersion(modelId,
                next.getLong("versionId", 0), next.getString("updatedAt", ""),
                next.getString("name", "")), next.getString("sha256", ""),
                next.getString("filename", "")));
    }

    private void fail(long modelId, String error) {
        log.warn("update check: model " + modelId + ": " + error);
        publish.accept(new Event.ModelUpdateError(Instant.now(clock),
                new Event.CivitaiVersion(modelId), error));
    }

    private static Long number(JsonObject o, String key) {
        return EntryParser.wholeNumber(o, key);
    }
}
