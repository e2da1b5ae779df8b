package civitai.daemon.cli;

import civitai.daemon.cli.session.Args;
import civitai.daemon.cli.session.DaemonClient;
import civitai.daemon.cli.session.ExitCode;
import civitai.daemon.cli.session.Failure;
import civitai.daemon.cli.session.Session;
import civitai.daemon.cli.view.Format;
import civitai.daemon.cli.view.Table;
import civitai.daemon.cli.view.Views;
import com.eclipsesource.json.JsonArray;
import com.eclipsesource.json.JsonObject;
import com.eclipsesource.json.JsonValue;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Set;

/**
 * {@code scan} (start a library scan, {@code --watch} follows it to its end), {@code library}
 * (the indexed files), {@code dupes} (duplicate groups and the space they waste) and
 * {@code adopt} (identified files into manifest.json for update notices), over
 * {@code /api/library}.
 */
final class LibraryCommands {
    private static final long WATCH_EVERY_MILLIS = 500;

    private final Session session;

    LibraryCommands(Session session) {
        this.session = session;
    }

    int scan(Args a) throws Failure {
        a.positional(0, "");
        String root = a.value("--root");
        JsonObject body = new JsonObject();
        if (root != null) {
            body.add("root", Path.of(root).toAbsolutePath().normalize().toString());
        }
        DaemonClient client = session.client(a);
        JsonObject answer = client.send("POST", "/api/library/scan", body);
        if (!a.flag("--watch")) {
            if (a.json()) {
                session.printJson(answer);
            } else {
                session.out().println("library scan started; civitai-daemon scan"
                        + " --watch follows one");
            }
            return ExitCode.OK;
        }
        return watch(client, a);
    }

    private int watch(DaemonClient client, Args a) throws Failure {
        JsonObject status = client.get("/api/library/scan");
        try {
            while (status.get("running") != null && status.get("running").isTrue()) {
                JsonValue p = status.get("progress");
                if (p != null && p.isObject() && !a.json()) {
                    session.out().print("\r" + progress(p.asObject()));
                    session.out().flush();
                }
                Thread.sleep(WATCH_EVERY_MILLIS);
                status = client.get("/api/library/scan");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return ExitCode.OK;
        }
        if (a.json()) {
            session.printJson(status);
        } else {
            session.out().println("\r" + summary(Views.object(status, "last")));
        }
        return ExitCode.OK;
    }

    private static String progress(JsonObject p) {
        return Format.bar(Views.number(p, "bytes_done"), Views.number(p, "bytes_total")) + "  "
                + Views.text(p, "files_done", "0") + "/" + Views.text(p, "files_total", "?")
                + " files  " + Format.speed(Views.number(p, "bytes_per_second")) + "  ETA "
                + Format.duration(Views.number(p, "eta_seconds")) + "   ";
    }

    private static String summary(JsonObject last) {
        String line = "scan "
                + (Views.text(last, "cancelled", "false").equals("true") ? "cancelled" : "done")
                + ": " + Views.text(last, "files", "0") + " files, "
                + Views.text(last, "hashed", "0") + " hashed, " + Views.text(last, "moved", "0")
                + " moved, " + Views.text(last, "missing", "0") + " missing, "
                + Views.text(last, "skipped_count", "0") + " skipped";
        String error = Views.text(last, "error");
        return error == null ? line : line + " (" + error + ")";
    }

    int library(Args a) throws Failure {
        a.positional(0, "");
        StringBuilder query = new StringBuilder("/api/library?limit=" + limit(a));
        for (String option : new String[] {"--type", "--root", "--sort", "--q"}) {
            String v = a.value(option);
            if (v != null) {
                query.append('&').append(option.substring(2)).append('=').append(encode(v));
            }
        }
        if (a.flag("--unidentified")) {
            query.append("&identified=false");
        }
        JsonObject answer = session.client(a).get(query.toString());
        if (a.json()) {
            session.printJson(answer);
            return ExitCode.OK;
        }
        Table t = new Table("NAME", "TYPE", ">SIZE", "STATE", "CIVITAI", "AUTOV2");
        for (JsonValue v : Views.array(answer, "files")) {
            JsonObject f = v.asObject();
            String civitai = Views.text(f, "model_id") == null ? "-"
                    : Views.text(f, "model_id") + "@" + Views.text(f, "version_id", "?");
            t.row(Views.text(f, "name", "?"), Views.text(f, "model_type", "-"),
                    Format.bytes(Views.number(f, "size")), Views.text(f, "state", "?"), civitai,
                    Views.text(f, "autov2", "-"));
        }
        session.out().print(t.isEmpty()
                ? "no files in the library (civitai-daemon scan indexes them)\n" : t.render());
        Long total = Views.number(answer, "total");
        if (!t.isEmpty() && total != null && total > Views.array(answer, "files").size()) {
            session.out().println("(" + total + " in all: --limit up to 500)");
        }
        return ExitCode.OK;
    }

    int dupes(Args a) throws Failure {
        a.positional(0, "");
        JsonObject answer = session.client(a).get("/api/library/duplicates");
        if (a.json()) {
            session.printJson(answer);
            return ExitCode.OK;
        }
        Table t = new Table("SHA256", ">COPIES", ">WASTED", "PATH");
        for (JsonValue v : Views.array(answer, "groups")) {
            JsonObject g = v.asObject();
            String sha = Views.text(g, "sha256", "?");
            boolean first = true;
            for (JsonValue f : Views.array(g, "files")) {
                t.row(first ? sha.substring(0, Math.min(12, sha.length())) : "",
                        first ? Views.text(g, "copies", "?") : "",
                        first ? Format.bytes(Views.number(g, "wasted_bytes")) : "",
                        Views.text(f.asObject(), "path", "?"));
                first = false;
            }
        }
        if (t.isEmpty()) {
            session.out().println("no duplicates");
        } else {
            session.out().print(t.render());
            session.out().println("wasted in all: "
                    + Format.bytes(Views.number(answer, "wasted_bytes")));
        }
        return ExitCode.OK;
    }

    int adopt(Args a) throws Failure {
        String update = a.value("--update");
        if (update != null && !Set.of("notify", "auto", "pin").contains(update)) {
            throw Failure.usage("--update must be notify, auto or pin, not " + update);
        }
        JsonObject body = new JsonObject();
        if (update != null) {
            body.add("update", update);
        }
        JsonArray paths = new JsonArray();
        for (String p : a.rest()) {
            paths.add(Path.of(p).toAbsolutePath().normalize().toString());
        }
        if (!paths.isEmpty()) {
            body.add("paths", paths);
        }
        JsonObject answer = session.client(a).send("POST", "/api/library/adopt", body);
        if (a.json()) {
            session.printJson(answer);
            return ExitCode.OK;
        }
        session.out().println("adopted " + Views.text(answer, "added", "0") + " file(s) (update: "
                + Views.text(answer, "update", "notify") + "), "
                + Views.text(answer, "already_in_manifest", "0") + " already in manifest.json");
        for (JsonValue p : Views.array(answer, "problems")) {
            session.out().println("  not adopted: " + Views.text(p.asObject(), "path", "?") + ": "
                    + Views.text(p.asObject(), "reason", "?"));
        }
        return ExitCode.OK;
    }

    private static int limit(Args a) throws Failure {
        Integer limit = a.integer("--limit", 1, 500);
        return limit == null ? 50 : limit;
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
