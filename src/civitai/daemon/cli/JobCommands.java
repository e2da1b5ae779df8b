package civitai.daemon.cli;

import civitai.daemon.cli.session.Args;
import civitai.daemon.cli.session.ExitCode;
import civitai.daemon.cli.session.Failure;
import civitai.daemon.cli.session.Session;
import civitai.daemon.cli.view.Table;
import civitai.daemon.cli.view.Views;
import com.eclipsesource.json.Json;
import com.eclipsesource.json.JsonObject;
import com.eclipsesource.json.JsonValue;
import com.eclipsesource.json.ParseException;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * {@code list}, {@code add}, {@code batch}, {@code pause|resume|cancel|retry}, {@code remove} and
 * {@code completed}: the jobs, over {@code /api/jobs}, {@code /api/download}, {@code /api/batch}
 * and {@code /api/completed}.
 */
final class JobCommands {
    static final Set<String> STATES = Set.of("queued", "downloading", "verifying", "completed",
            "failed", "cancelled", "paused");
    private static final int MAX_LIMIT = 500;

    private final Session session;

    JobCommands(Session session) {
        this.session = session;
    }

    int list(Args a) throws Failure {
        a.positional(0, "");
        String state = a.value("--state");
        if (state != null && !STATES.contains(state)) {
            throw Failure.usage("--state must be one of "
                    + String.join(", ", STATES.stream().sorted().toList()) + ", not " + state);
        }
        int limit = limit(a);
        JsonObject answer = session.client(a).get("/api/jobs?limit=" + limit
                + (state == null ? "" : "&state=" + state));
        return show(a, answer, Views.jobs(Views.array(answer, "jobs")),
                "no jobs" + (state == null ? "" : " " + state));
    }

    int completed(Args a) throws Failure {
        a.positional(0, "");
        String type = a.value("--type");
        JsonObject answer = session.client(a).get("/api/completed?limit=" + limit(a)
                + (type == null ? "" : "&model_type=" + encode(type)));
        return show(a, answer, Views.completed(Views.array(answer, "jobs")),
                "nothing completed yet");
    }

    int add(Args a) throws Failure {
        String reference = a.positional(1,
                "what to add: a Civitai link, an AIR, a model id or a URL").get(0);
        JsonObject entry = entry(reference, a.value("--type"));
        Integer priority = a.integer("--priority", -1_000_000, 1_000_000);
        if (priority != null) {
            entry.add("priority", priority);
        }
        JsonObject answer = session.client(a).send("POST", "/api/download", entry);
        if (a.json()) {
            session.printJson(answer);
        } else {
            printResult(answer);
        }
        return ExitCode.OK;
    }

    /** What {@code add} sends: the daemon resolves Civitai references itself. */
    static JsonObject entry(String reference, String type) {
        JsonObject e = new JsonObject();
        String lower = reference.toLowerCase(Locale.ROOT);
        if (reference.matches("\\d{1,18}")) {
            e.add("modelId", Long.parseLong(reference));
        } else if (!lower.startsWith("http://") && !lower.startsWith("https://")) {
            e.add("civitai", reference);  // an AIR, or a link without its scheme
        } else if (type != null && hostOf(lower).contains("civitai")) {
            // a Civitai link filed under a type of the user's choosing
            e.add("civitai", reference);
        } else {
            e.add("url", reference);  // the daemon resolves a Civitai link given without a type
        }
        if (type != null) {
            e.add("model_type", type);
        }
        return e;
    }

    private static String hostOf(String url) {
        int start = url.indexOf("://") + 3;
        int end = url.indexOf('/', start);
        return end < 0 ? url.substring(start) : url.substring(start, end);
    }

    int batch(Args a) throws Failure {
        Path file = session.workingDir()
                .resolve(a.positional(1, "the manifest file to add").get(0));
        JsonValue entries;
        try {
            entries = Json.parse(Files.readString(file, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw Failure.usage("cannot read " + file + ": " + e.getMessage());
        } catch (ParseException e) {
            throw Failure.usage(file + " is not valid JSON: " + e.getMessage());
        }
        JsonObject answer = session.client(a).send("POST", "/api/batch", entries);
        if (a.json()) {
            session.printJson(answer);
            return ExitCode.OK;
        }
        Table t = new Table(">ID", "RESULT", "STATE", "TYPE", "FILE");
        for (JsonValue v : Views.array(answer, "jobs")) {
            JsonObject job = Views.object(v.asObject(), "job");
            t.row(Views.text(job, "id", "?"), Views.text(v.asObject(), "result", ""),
                    Views.text(job, "state", ""), Views.text(job, "model_type", ""),
                    Views.name(job));
        }
        session.out().print(t.render());
        return ExitCode.OK;
    }

    /** pause, resume, cancel or retry one job. */
    int control(String action, Args a) throws Failure {
        long id = Args.id(a.positional(1, "the job id").get(0));
        JsonObject answer = session.client(a).send("POST", "/api/jobs/" + id + "/" + action, null);
        if (a.json()) {
            session.printJson(answer);
        } else {
            JsonObject job = Views.object(answer, "job");
            session.out().println("job " + id + " is " + Views.text(job, "state", "?") + ": "
                    + Views.name(job));
        }
        return ExitCode.OK;
    }

    int remove(Args a) throws Failure {
        long id = Args.id(a.positional(1, "the job id").get(0));
        boolean deleteFile = a.flag("--delete-file");
        JsonObject answer = session.client(a).send("DELETE", "/api/jobs/" + id
                + (deleteFile ? "?delete_file=true" : ""), null);
        if (a.json()) {
            session.printJson(answer);
        } else {
            session.out().println("job " + id + " removed"
                    + (deleteFile ? ", and its file deleted" : ""));
        }
        return ExitCode.OK;
    }

    private void printResult(JsonObject answer) {
        JsonObject job = Views.object(answer, "job");
        String result = Views.text(answer, "result", "queued");
        session.out().println(switch (result) {
            case "queued" -> "queued as job " + Views.text(job, "id", "?");
            case "already_completed" -> "already downloaded as job " + Views.text(job, "id", "?");
            default -> "already known as job " + Views.text(job, "id", "?") + " ("
                    + Views.text(job, "state", "?") + ")";
        } + ": " + target(job));
    }

    /** Where the file goes; before a plain URL's first answer the server has not named it yet. */
    private static String target(JsonObject job) {
        String type = Views.text(job, "model_type", "?");
        String filename = Views.text(job, "filename");
        return filename != null ? type + "/" + filename
                : type + ", file name from the server (" + Views.text(job, "url", "?") + ")";
    }

    private int show(Args a, JsonObject answer, Table table, String empty) {
        if (a.json()) {
            session.printJson(answer);
        } else if (table.isEmpty()) {
            session.out().println(empty);
        } else {
            session.out().print(table.render());
            if (Views.text(answer, "next_cursor") != null) {
                session.out().println("(more: --limit up to " + MAX_LIMIT + ")");
            }
        }
        return ExitCode.OK;
    }

    private static int limit(Args a) throws Failure {
        Integer n = a.integer("--limit", 1, MAX_LIMIT);
        return n == null ? 50 : n;
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    static List<String> controls() {
        return List.of("pause", "resume", "cancel", "retry");
    }
}
