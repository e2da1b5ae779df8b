package civitai.daemon.cli;

import civitai.daemon.cli.session.ExitCode;
import civitai.daemon.cli.view.Format;
import civitai.daemon.cli.view.Table;
import civitai.daemon.cli.view.Views;
import com.eclipsesource.json.JsonObject;
import com.eclipsesource.json.JsonValue;
import java.net.URI;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * A workflow's plan, as {@code POST /api/workflow} answers it, as a table with one row per model
 * and a summary line; each row is sorted into what it means for the user. Pure (no I/O); not
 * thread-safe.
 */
final class PlanView {
    /** What a row means for the user; the order is the summary's. */
    enum Outcome {
        PRESENT("present"), DOWNLOAD("to download"), QUEUED("queued"),
        UNQUEUED("could not be queued"), CHOICE("need a choice"), NOT_FOUND("not found");

        final String words;

        Outcome(String words) {
            this.words = words;
        }
    }

    private final List<JsonObject> rows = new ArrayList<>();
    private final boolean queued;

    /**
     * {@code answer}: the plan, with each row's {@code queue} answer when it was sent with
     * ?queue=true.
     */
    PlanView(JsonObject answer) {
        for (JsonValue v : Views.array(answer, "models")) {
            rows.add(v.asObject());
        }
        this.queued = answer.get("queued") != null;
    }

    List<JsonObject> rows() {
        return rows;
    }

    static Outcome outcome(JsonObject row) {
        String decision = Views.text(row, "decision", "");
        JsonObject queue = Views.object(row, "queue");
        return switch (decision) {
            case "present", "present_elsewhere" -> Outcome.PRESENT;
            case "download", "lookup_hash" -> queue.isEmpty() ? Outcome.DOWNLOAD
                    : queueOutcome(queue);
            case "not_found" -> Outcome.NOT_FOUND;
            // conflict, ambiguous, unknown_folder, refused: the user decides
            default -> Outcome.CHOICE;
        };
    }

    private static Outcome queueOutcome(JsonObject queue) {
        if (Views.text(queue, "job_id") != null
                || Views.text(queue, "result", "").equals("duplicate")) {
            // its own job, another's (held, already known), or another row's
            return Outcome.QUEUED;
        }
        return Views.text(queue, "code", "").equals("not_found") ? Outcome.NOT_FOUND
                : Outcome.UNQUEUED;
    }

    /** Exit 4 when anything the workflow needs will not be there without the user. */
    int exitCode() {
        boolean stuck = rows.stream().map(PlanView::outcome)
                .anyMatch(o -> o == Outcome.CHOICE || o == Outcome.NOT_FOUND
                        || o == Outcome.UNQUEUED);
        return stuck ? ExitCode.INCOMPLETE : ExitCode.OK;
    }

    /**
     * The table; {@code sizes}: each row's file size when the library knows it (null otherwise).
     */
    String render(List<Long> sizes) {
        Table t = queued
                ? new Table("DECISION", "FOLDER", "NAME", ">SIZE", "SOURCE", "QUEUE",
                        "TARGET / REASON")
                : new Table("DECISION", "FOLDER", "NAME", ">SIZE", "SOURCE", "TARGET / REASON");
        for (int i = 0; i < rows.size(); i++) {
            JsonObject row = rows.get(i);
            Long bytes = sizes.get(i);
            List<String> cells = new ArrayList<>(List.of(Views.text(row, "decision", "?"),
                    Views.text(row, "folder", "-"), Views.text(row, "name", "?"),
                    bytes == null ? "-" : Format.bytes(bytes), source(row)));
            if (queued) {
                cells.add(queueCell(Views.object(row, "queue")));
            }
            cells.add(where(row));
            t.row(cells.toArray(String[]::new));
        }
        return t.isEmpty() ? "the workflow names no models\n" : t.render();
    }

    /**
     * {@code 1 present, 2 to download, 0 need a choice, 1 not found}; with queueing, what was
     * queued.
     */
    String summary() {
        Map<Outcome, Integer> counts = new EnumMap<>(Outcome.class);
        rows.forEach(r -> counts.merge(outcome(r), 1, Integer::sum));
        List<String> parts = new ArrayList<>();
        for (Outcome o : Outcome.values()) {
            boolean always = o == Outcome.PRESENT || o == Outcome.CHOICE || o == Outcome.NOT_FOUND
                    || o == (queued ? Outcome.QUEUED : Outcome.DOWNLOAD);
            if (always || counts.containsKey(o)) {
                parts.add(counts.getOrDefault(o, 0) + " " + o.words);
            }
        }
        return String.join(", ", parts);
    }

    /** Where the file comes from: the library, the URL's host, or Civitai asked by the hash. */
    static String source(JsonObject row) {
        String decision = Views.text(row, "decision", "");
        if (decision.equals("present") || decision.equals("present_elsewhere")) {
            return "library";
        }
        String url = Views.text(row, "url");
        if (url != null) {
            try {
                String host = URI.create(url).getHost();
                return host == null ? url : host;
            } catch (IllegalArgumentException e) {
                return url;  // the daemon planned it; show it as the workflow wrote it
            }
        }
        return Views.text(row, "hash") != null ? "civitai by hash" : "-";
    }

    /** The target path where the file is or will be; otherwise why not. */
    private static String where(JsonObject row) {
        JsonObject queue = Views.object(row, "queue");
        String result = Views.text(queue, "result", "");
        if (result.equals("failed") || result.equals("duplicate")) {
            return Views.text(queue, "reason", "?");
        }
        return switch (Views.text(row, "decision", "")) {
            case "present", "download", "lookup_hash" ->
                    Views.text(row, "target", Views.text(row, "reason", ""));
            default -> Views.text(row, "reason", "");
        };
    }

    private static String queueCell(JsonObject queue) {
        String job = Views.text(queue, "job_id");
        return switch (Views.text(queue, "result", "-")) {
            case "queued" -> "job " + job;
            case "already_completed" -> "done: job " + job;
            case "already_known", "held" -> "held: job " + job;
            case "not_queued" -> "-";
            default -> Views.text(queue, "result", "-");  // failed, duplicate
        };
    }
}
