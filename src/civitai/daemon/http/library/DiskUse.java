package civitai.daemon.http.library;

import civitai.daemon.download.rules.SpaceGate;
import civitai.daemon.library.Library;
import civitai.daemon.library.index.LibraryQuery;
import civitai.daemon.library.index.Root;
import com.eclipsesource.json.JsonArray;
import com.eclipsesource.json.JsonObject;
import java.util.List;
import java.util.Map;

/**
 * Where the models are and what room is left, for {@code /api/status} and the metrics alike:
 * the free space of each file system under {@code download_dir} and the library's roots, and the
 * library's size per model type. Each call reads anew. Thread-safe.
 */
public record DiskUse(SpaceGate gate, Library library, LibraryQuery query) {
    /** download_dir's file system first (it is the first root), then the other roots' own ones. */
    public List<SpaceGate.Disk> disks() {
        return gate.disks(library.roots().stream().map(Root::path).toList());
    }

    public Map<String, LibraryQuery.Use> byType() {
        return query.byType();
    }

    /** Each file system: what is free, of how much, and what downloads leave free there. */
    public JsonArray disksJson() {
        JsonArray out = new JsonArray();
        for (SpaceGate.Disk d : disks()) {
            out.add(new JsonObject().add("path", d.path().toString()).add("free_bytes", d.free())
                    .add("total_bytes", d.total()).add("min_free_space", d.keepFree()));
        }
        return out;
    }

    /**
     * The library's present files and bytes per model type, and their sums (a file hard-linked
     * under two types counts in both).
     */
    public JsonObject libraryJson() {
        JsonObject perType = new JsonObject();
        long files = 0;
        long bytes = 0;
        for (var e : byType().entrySet()) {
            perType.add(e.getKey(), new JsonObject().add("files", e.getValue().files())
                    .add("bytes", e.getValue().bytes()));
            files += e.getValue().files();
            bytes += e.getValue().bytes();
        }
        return new JsonObject().add("files", files).add("bytes", bytes)
                .add("per_model_type", perType);
    }
}
