package civitai.daemon.http.library;

import civitai.daemon.http.server.ApiException;
import civitai.daemon.http.server.JsonBody;
import civitai.daemon.http.server.JsonValues;
import civitai.daemon.http.server.Reply;
import civitai.daemon.http.server.Request;
import civitai.daemon.library.Dedupe;
import civitai.daemon.library.Library;
import civitai.daemon.library.ScanBusy;
import civitai.daemon.library.index.LibraryFile;
import civitai.daemon.library.index.LibraryIndex;
import civitai.daemon.library.index.LibraryQuery;
import civitai.daemon.library.index.Root;
import com.eclipsesource.json.JsonArray;
import com.eclipsesource.json.JsonObject;
import com.eclipsesource.json.JsonValue;
import java.io.IOException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The library: every model file under {@code download_dir} and {@code library_roots}, its scans,
 * its duplicates. A scan runs in the background; {@code GET /api/library/scan} and the
 * {@code library.scan.*} events follow it; {@code DELETE /api/library/scan} cancels it.
 * <pre>
 *   curl -s -XPOST localhost:8123/api/library/scan     # every root (202; 409 if one runs)
 *   curl -s -XPOST localhost:8123/api/library/scan -H 'Content-Type: application/json' \
 *        -d '{"root": "/opt/ComfyUI/models"}'
 *   curl -s -XDELETE localhost:8123/api/library/scan   # {"cancelled": true|false}
 *   curl -s 'localhost:8123/api/library?type=lora&amp;identified=false&amp;sort=size&amp;limit=20'
 *   curl -s localhost:8123/api/library/duplicates
 *   curl -s -XPOST localhost:8123/api/library/dedupe -H 'Content-Type: application/json' \
 *        -d '{"sha256": "...", "keep": "/data/models/lora/a.safetensors"}'
 * </pre>
 */
public final class LibraryRoutes {
    private final Library library;
    private final LibraryIndex index;
    private final LibraryQuery query;

    public LibraryRoutes(Library library, LibraryIndex index) {
        this.library = library;
        this.index = index;
        this.query = new LibraryQuery(index);
    }

    public Reply list(Request r) {
        LibraryQuery.Filter filter = new LibraryQuery.Filter(r.query("type"),
                rootParam(r.query("root")), r.query("source"), bool(r, "identified"),
                bool(r, "duplicates"), text(r.query("q")),
                state(r.query("state")));
        LibraryQuery.Sort sort = sort(r.query("sort"));
        int limit = r.intQuery("limit", 50, 1, 500);
        int offset = r.intQuery("offset", 0, 0, Integer.MAX_VALUE);
        LibraryQuery.Page page = query.page(filter, sort, limit, offset);
        JsonArray files = new JsonArray();
        page.files().forEach(f -> files.add(LibraryJson.file(f, writable(f))));
        long next = offset + page.files().size();
        return Reply.ok(new JsonObject().add("files", files).add("total", page.total())
                .add("offset", offset)
                .add("next_offset", next < page.total() ? JsonValues.nullable(next)
                        : JsonValues.nullable((Long) null))
                .add("roots", roots()));
    }

    public Reply get(Request r) {
        long id;
        try {
            id = Long.parseLong(r.params.get("id"));
        } catch (NumberFormatException e) {
            throw ApiException.notFound("no library file " + r.params.get("id"));
        }
        LibraryFile f = index.find(id)
                .orElseThrow(() -> ApiException.notFound("no library file " + id));
        JsonObject body = LibraryJson.file(f, writable(f));
        if (f.sha256() != null) {
            body.add("copies", LibraryJson.group(query.group(f.sha256()), this::writable)
                    .get("copies"));
        }
        return Reply.ok(new JsonObject().add("file", body));
    }

    public Reply duplicates(Request r) {
        JsonArray groups = new JsonArray();
        long wasted = 0;
        for (LibraryQuery.Group g : query.duplicates()) {
            groups.add(LibraryJson.group(g, this::writable));
            wasted += g.wastedBytes();
        }
        return Reply.ok(new JsonObject().add("groups", groups).add("wasted_bytes", wasted));
    }

    public Reply scanStatus(Request r) {
        return Reply.ok(LibraryJson.status(library.status()));
    }

    public Reply scan(Request r) throws IOException {
        Path root = null;
        if (r.exchange.getRequestHeaders().getFirst("Content-Type") != null) {
            JsonValue body = r.json(JsonBody.MAX_BODY);
            if (!body.isObject() || !body.asObject().names().stream().allMatch("root"::equals)) {
                throw ApiException.badRequest("send {} or {\"root\": \"<one of the"
                        + " library's roots>\"}");
            }
            JsonValue v = body.asObject().get("root");
            if (v != null && !v.isNull()) {
                root = path(v.isString() ? v.asString() : null, "root");
            }
        }
        try {
            return Reply.accepted(LibraryJson.status(library.scan(root)));
        } catch (ScanBusy e) {
            throw new ApiException(409, "scan_running", e.getMessage());
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(e.getMessage());
        }
    }

    public Reply cancel(Request r) {
        boolean cancelled = library.cancel();
        return Reply.ok(new JsonObject().add("cancelled", cancelled)
                .add("message", cancelled ? "the scan stops after the blocks being read"
                        : "no scan is running"));
    }

    public Reply dedupe(Request r) throws IOException {
        JsonValue body = r.json(JsonBody.MAX_BODY);
        JsonValue sha = body.isObject() ? body.asObject().get("sha256") : null;
        JsonValue keep = body.isObject() ? body.asObject().get("keep") : null;
        if (sha == null || !sha.isString() || !sha.asString().matches("[0-9a-fA-F]{64}")
                || keep == null || !keep.isString()) {
            throw ApiException.badRequest("send {\"sha256\": \"<a duplicate group's SHA-256>\","
                    + " \"keep\": \"<the path of the copy to keep>\"}");
        }
        try {
            return Reply.ok(LibraryJson.dedupe(library.dedupe(sha.asString()
                    .toLowerCase(Locale.ROOT), path(keep.asString(), "keep"))));
        } catch (ScanBusy e) {
            throw new ApiException(409, "scan_running", e.getMessage());
        } catch (Dedupe.Refused e) {
            throw new ApiException(409, "refused", e.getMessage());
        }
    }

    private boolean writable(LibraryFile f) {
        Root root = library.rootOf(Path.of(f.path()));
        return root != null && root.writable();
    }

    private JsonArray roots() {
        JsonArray out = new JsonArray();
        library.roots().forEach(root -> out.add(new JsonObject().add("path", root.path().toString())
                .add("read_only", !root.writable())));
        return out;
    }

    private static Path path(String text, String key) {
        if (text == null || text.isBlank() || text.indexOf('\0') >= 0) {
            throw ApiException.badRequest("\"" + key + "\" must be a path");
        }
        try {
            return Path.of(text).toAbsolutePath().normalize();
        } catch (InvalidPathException e) {
            throw ApiException.badRequest("\"" + key + "\" is not a path: " + e.getMessage());
        }
    }

    private static String rootParam(String text) {
        return text == null ? null : path(text, "root").toString();
    }

    private static Boolean bool(Request r, String name) {
        return r.query(name) == null ? null : r.boolQuery(name);
    }

    private static String text(String q) {
        if (q != null && q.length() > 200) {
            throw ApiException.badRequest("q= is at most 200 characters");
        }
        return q;
    }

    private static String state(String s) {
        if (s == null || s.equals(LibraryFile.PRESENT) || s.equals(LibraryFile.MISSING)) {
            return s;
        }
        throw ApiException.badRequest("state=" + s + " is not one of present, missing");
    }

    private static LibraryQuery.Sort sort(String s) {
        if (s == null) {
            return LibraryQuery.Sort.NAME;
        }
        try {
            return LibraryQuery.Sort.valueOf(s.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("sort=" + s + " is not one of name, size, date");
        }
    }
}
