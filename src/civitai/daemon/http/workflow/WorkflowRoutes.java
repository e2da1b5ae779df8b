package civitai.daemon.http.workflow;

import civitai.daemon.http.server.ApiException;
import civitai.daemon.http.server.JsonBody;
import civitai.daemon.http.server.Reply;
import civitai.daemon.http.server.Request;
import civitai.daemon.library.index.LibraryIndex;
import civitai.daemon.target.Layout;
import civitai.daemon.workflow.LibraryMatch;
import civitai.daemon.workflow.NotAWorkflow;
import civitai.daemon.workflow.PlanChoices;
import civitai.daemon.workflow.PlanJson;
import civitai.daemon.workflow.PlanRow;
import civitai.daemon.workflow.Reference;
import civitai.daemon.workflow.WorkflowReader;
import com.eclipsesource.json.JsonArray;
import com.eclipsesource.json.JsonObject;
import com.eclipsesource.json.JsonValue;
import java.io.IOException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * A workflow in: the models a ComfyUI workflow (UI or API JSON, or a PNG that carries one) or
 * A1111 parameters text names, planned against the library; the format is read from the content,
 * whatever the Content-Type says. The plan alone queues nothing; {@code ?queue=true} queues what
 * it says to download. Thread-safe.
 * <pre>
 *   curl -s -XPOST localhost:8123/api/workflow --data-binary @workflow.json
 *   curl -s -XPOST 'localhost:8123/api/workflow?queue=true' --data-binary @ComfyUI_00001_.png
 * </pre>
 */
public final class WorkflowRoutes {
    /**
     * A PNG of up to 32 MiB in a 64 MiB heap: one body held at a time; the next waits this long.
     */
    private static final Duration READ_WAIT = Duration.ofSeconds(30);
    private final Semaphore reads = new Semaphore(1);

    private final LibraryIndex library;
    private final Layout layout;
    private final Path downloadDir;
    private final WorkflowQueue queue;
    private final WorkflowPlans plans = new WorkflowPlans();

    public WorkflowRoutes(LibraryIndex library, Layout layout, Path downloadDir,
            WorkflowQueue queue) {
        this.library = library;
        this.layout = layout;
        this.downloadDir = downloadDir.toAbsolutePath().normalize();
        this.queue = queue;
    }

    public Reply post(Request r) throws IOException {
        boolean queueIt = r.boolQuery("queue");  // a bad query is refused before the body is read
        WorkflowPlans.Read read = read(r);
        plans.keep(read);
        List<PlanRow> rows = plan(read.references());
        if (!queueIt) {
            return Reply.ok(answer(rows, read));
        }
        return queued(rows, queue.queue(rows, read.sha256(), WorkflowQueue.Choice.ALL), read);
    }

    /**
     * {@code POST /api/workflow/plan/{id}/queue}: queues the chosen rows of a plan made before,
     * with the user's choices: {@code {"rows": [0, 3], "choices": {"3": {"folder": "loras"},
     * "5": {"url": "https://..."}, "6": {"use": "/models/loras/a.safetensors"}}}}. A folder choice
     * places a reference the loader table does not know; a URL choice gives a name alone its
     * source; a use choice picks an ambiguous name's library file, linked to the target. Without
     * {@code rows}, every row is chosen.
     */
    public Reply queuePlan(Request r) throws IOException {
        String id = r.params.get("id");
        WorkflowPlans.Read read = plans.find(id).orElseThrow(() -> ApiException.notFound(
                "no plan " + id + " (the last " + WorkflowPlans.KEPT + " workflows are kept, not"
                + " across a restart): send the workflow to /api/workflow again"));
        JsonObject asked = object(r.json(JsonBody.MAX_BODY), "the body");
        List<PlanRow> rows;
        Set<Integer> chosen;
        Set<Integer> picked;
        // null: every row, as ?queue=true
        boolean listed = asked.get("rows") != null && asked.get("rows").isArray();
        try {
            List<Reference> refs = PlanChoices.apply(read.references(), asked.get("choices"));
            chosen = PlanChoices.rows(asked.get("rows"), refs.size());
            rows = PlanChoices.pick(plan(refs), asked.get("choices"));
            picked = PlanChoices.picked(asked.get("choices"));
        } catch (PlanChoices.Invalid e) {
            throw ApiException.badRequest(e.getMessage());
        }
        return queued(rows, queue.queue(rows, read.sha256(),
                new WorkflowQueue.Choice(chosen::contains,
                        i -> (listed && chosen.contains(i)) || picked.contains(i))), read);
    }

    private List<PlanRow> plan(List<Reference> refs) {
        return new LibraryMatch(library.present(), layout, downloadDir).plan(refs);
    }

    private static JsonObject answer(List<PlanRow> rows, WorkflowPlans.Read read) {
        return PlanJson.of(rows).add("summary", summary(rows)).add("plan_id", read.sha256());
    }

    private static Reply queued(List<PlanRow> rows, List<JsonObject> queued,
            WorkflowPlans.Read read) {
        JsonObject answer = answer(rows, read);
        JsonArray models = answer.get("models").asArray();
        for (int i = 0; i < rows.size(); i++) {
            models.get(i).asObject().add("queue", queued.get(i));
        }
        answer.add("queued", queued.stream().filter(q -> q.getString("result", "").equals("queued"))
                .count());
        return Reply.accepted(answer);
    }

    private static JsonObject object(JsonValue v, String what) {
        if (!v.isObject()) {
            throw ApiException.badRequest(what + " must be a JSON object, not " + v);
        }
        return v.asObject();
    }

    /** Reads the body and what it names, one body at a time; the bytes are dropped on return. */
    private WorkflowPlans.Read read(Request r) throws IOException {
        try {
            if (!reads.tryAcquire(READ_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                r.exchange.getResponseHeaders().set("Retry-After", "5");
                throw new ApiException(503, "busy",
                        "another workflow is being read; send this one again");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException(503, "stopping", "the daemon is stopping");
        }
        try {
            // a chunked body has no declared length, and reading one of unknown length
            // holds it twice
            byte[] body = r.bytes(WorkflowReader.MAX_PNG_BYTES, WorkflowReader.MAX_TEXT_BYTES);
            return new WorkflowPlans.Read(WorkflowReader.read(body), sha256(body));
        } catch (NotAWorkflow e) {
            throw new ApiException(400, "not_a_workflow", e.getMessage());
        } finally {
            reads.release();
        }
    }

    /** How many rows each decision has, by the decision's name in the plan. */
    private static JsonObject summary(List<PlanRow> rows) {
        JsonObject counts = new JsonObject();
        for (PlanRow.Decision d : PlanRow.Decision.values()) {
            long n = rows.stream().filter(row -> row.decision() == d).count();
            if (n > 0) {
                counts.add(d.name().toLowerCase(Locale.ROOT), n);
            }
        }
        return counts.add("total", rows.size());
    }

    private static String sha256(byte[] body) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
