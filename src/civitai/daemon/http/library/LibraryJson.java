package civitai.daemon.http.library;

import civitai.daemon.events.Event;
import civitai.daemon.http.server.JsonValues;
import civitai.daemon.library.Dedupe;
import civitai.daemon.library.Library;
import civitai.daemon.library.ScanResult;
import civitai.daemon.library.index.LibraryFile;
import civitai.daemon.library.index.LibraryQuery;
import com.eclipsesource.json.Json;
import com.eclipsesource.json.JsonArray;
import com.eclipsesource.json.JsonObject;
import java.time.Instant;
import java.util.function.Predicate;

/** The library's values as the API shows them. */
public final class LibraryJson {
    private LibraryJson() {}

    public static JsonObject file(LibraryFile f, boolean writable) {
        return new JsonObject().add("id", f.id()).add("path", f.path()).add("name", f.name())
                .add("root", f.root()).add("read_only", !writable).add("size", f.size())
                .add("modified_at", Instant.ofEpochMilli(f.mtimeMillis()).toString())
                .add("inode", JsonValues.nullable(f.inode()))
                .add("sha256", JsonValues.nullable(f.sha256()))
                .add("autov2", JsonValues.nullable(f.autoV2()))
                .add("model_type", JsonValues.nullable(f.modelType())).add("state", f.state())
                .add("identified", f.identified()).add("source", JsonValues.nullable(f.source()))
                .add("model_id", JsonValues.nullable(f.modelId()))
                .add("version_id", JsonValues.nullable(f.versionId()))
                .add("model_name", JsonValues.nullable(f.modelName()))
                .add("hashed_at", JsonValues.nullable(f.hashedAt()))
                .add("seen_at", JsonValues.nullable(f.seenAt()))
                .add("unknown_to_civitai_since", JsonValues.nullable(f.unmatched()));
    }

    public static JsonObject status(Library.Status s) {
        return new JsonObject().add("running", s.running())
                .add("progress", s.progress() == null ? Json.NULL : progress(s.progress()))
                .add("last", s.last() == null ? Json.NULL : result(s.last()))
                .add("identified", s.identified())
                .add("identify_error", JsonValues.nullable(s.identifyError()));
    }

    public static JsonObject progress(Event.ScanProgress p) {
        return new JsonObject().add("files_done", p.filesDone()).add("files_total", p.filesTotal())
                .add("bytes_done", p.bytesDone()).add("bytes_total", p.bytesTotal())
                .add("bytes_per_second", p.bytesPerSecond())
                .add("eta_seconds", p.etaSeconds() == null ? Json.NULL
                        : Json.value(p.etaSeconds()));
    }

    public static JsonObject result(ScanResult r) {
        JsonArray skipped = new JsonArray();
        r.skipped().stream().limit(100)
                .forEach(s -> skipped.add(new JsonObject().add("path", s.path())
                .add("reason", s.reason())));
        return new JsonObject().add("root", JsonValues.nullable(r.root()))
                .add("started_at", r.started().toString())
                .add("finished_at", r.finished().toString()).add("files", r.files())
                .add("hashed", r.hashed()).add("moved", r.moved()).add("missing", r.missing())
                .add("skipped_count", r.skipped().size()).add("skipped", skipped)
                .add("cancelled", r.cancelled()).add("error", JsonValues.nullable(r.error()));
    }

    public static JsonObject group(LibraryQuery.Group g, Predicate<LibraryFile> writable) {
        JsonArray files = new JsonArray();
        g.files().forEach(f -> files.add(file(f, writable.test(f))));
        return new JsonObject().add("sha256", g.sha256()).add("size", g.size())
                .add("copies", g.inodes()).add("wasted_bytes", g.wastedBytes()).add("files", files);
    }

    public static JsonObject dedupe(Dedupe.Result r) {
        JsonArray actions = new JsonArray();
        for (Dedupe.Action a : r.actions()) {
            actions.add(new JsonObject().add("path", a.path()).add("action", a.action())
                    .add("reason", JsonValues.nullable(a.reason())));
        }
        return new JsonObject().add("sha256", r.sha256()).add("kept", r.kept())
                .add("actions", actions).add("freed_bytes", r.freedBytes());
    }
}
