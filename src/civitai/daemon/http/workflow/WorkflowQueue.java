package civitai.daemon.http.workflow;

import civitai.daemon.http.intake.Intake;
import civitai.daemon.http.intake.References;
import civitai.daemon.manifest.EntryParser;
import civitai.daemon.manifest.ManifestEntry;
import civitai.daemon.store.jobs.Job;
import civitai.daemon.store.jobs.JobStore;
import civitai.daemon.workflow.ModelTypes;
import civitai.daemon.workflow.PlanRow;
import civitai.daemon.workflow.Reference;
import com.eclipsesource.json.JsonObject;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.IntPredicate;

/**
 * Queues what a workflow's plan says to download, through the same intake as
 * {@code /api/download}; answers, per row, the job or why there is none. A row whose file a job
 * already holds (waiting, running or done) is left to that job, so the same workflow sent twice
 * adds nothing. Thread-safe.
 */
public final class WorkflowQueue {
    private final Intake intake;
    private final JobStore store;
    private final WorkflowLinks links;

    public WorkflowQueue(Intake intake, JobStore store, WorkflowLinks links) {
        this.intake = intake;
        this.store = store;
        this.links = links;
    }

    /**
     * Which rows a request queues ({@code rows}) and which present_elsewhere rows have their copy
     * placed at the target ({@code link}): those the user chose one by one, or picked a candidate
     * for (a whole-plan queue leaves them for the user to choose: a link changes their folders).
     */
    public record Choice(IntPredicate rows, IntPredicate link) {
        static final Choice ALL = new Choice(i -> true, i -> false);
    }

    /** A row to queue: its index in the plan and its checked entry. */
    private record Pending(int row, ManifestEntry entry) {}

    /**
     * One answer per row, in the plan's order, queueing the rows {@code chosen} accepts;
     * {@code workflow} marks each job with its source.
     */
    public List<JsonObject> queue(List<PlanRow> rows, String workflow, Choice chosen)
            throws IOException {
        List<JsonObject> answers = new ArrayList<>();
        List<Pending> pending = new ArrayList<>();
        Map<String, Integer> firstByFile = new HashMap<>();
        for (int i = 0; i < rows.size(); i++) {
            PlanRow row = rows.get(i);
            answers.add(!chosen.rows().test(i) ? not("not_queued", "not chosen")
                    : row.decision() == PlanRow.Decision.PRESENT_ELSEWHERE && chosen.link().test(i)
                    ? links.link(row)
                    : check(row, i, workflow, pending, firstByFile));
        }
        List<JobStore.Inserted> added = intake.add(pending.stream().map(Pending::entry).toList());
        for (int p = 0; p < pending.size(); p++) {
            JobStore.Inserted i = added.get(p);
            int row = pending.get(p).row();
            answers.set(row, new JsonObject().add("result", Intake.outcome(i))
                    .add("job_id", i.job().id()).merge(answers.get(row)));
        }
        return answers;
    }

    /** The answer for a row that is not queued, or an empty answer the queued job fills in. */
    private JsonObject check(PlanRow row, int index, String workflow, List<Pending> pending,
            Map<String, Integer> firstByFile) {
        if (row.decision() != PlanRow.Decision.DOWNLOAD
                && row.decision() != PlanRow.Decision.LOOKUP_HASH) {
            return not("not_queued", row.reason());
        }
        Optional<String> sha256 = fullSha256(row.reference());
        ManifestEntry entry;
        try {
            entry = intake.entry(sent(row, sha256, workflow));
        } catch (References.NotResolved e) {
            // gated, not_found, …
            JsonObject failed = not("failed", e.getMessage()).add("code", e.code);
            return e.retryAfter == null ? failed
                    : failed.add("retry_after", e.retryAfter.toSeconds());
        } catch (EntryParser.InvalidEntry e) {
            return not("failed", "bad entry: " + e.getMessage());
        }
        String file = entry.modelType() + "/" + entry.filename();
        Integer first = firstByFile.putIfAbsent(file, index);
        if (first != null) {
            return not("duplicate", "row " + first + " queues the same file").add("row", first);
        }
        Optional<Job> holder = store.holder(entry.modelType(), entry.filename());
        if (holder.isPresent()) {
            Job job = holder.get();
            return not("held", "job " + job.id() + " (" + job.state().key()
                    + ") already has this file").add("job_id", job.id());
        }
        pending.add(new Pending(index, entry));
        return notes(entry);
    }

    /**
     * The entry the download intake takes for a row: a Civitai link as a reference (resolved and
     * verified by that version's hash), any other URL as it is, a bare hash as Civitai's file with
     * that hash (a short one, such as A1111's AutoV2, verified by the file's full SHA-256 Civitai
     * names). The workflow's folder and file name win over Civitai's: that is where the workflow
     * looks for the file; a name without a model extension (A1111's {@code Model: name}) takes
     * Civitai's file name.
     */
    private JsonObject sent(PlanRow row, Optional<String> sha256, String workflow) {
        Reference r = row.reference();
        JsonObject e = new JsonObject();
        if (row.decision() == PlanRow.Decision.DOWNLOAD) {
            String url = r.url().orElseThrow();
            e.add(intake.isCivitai(url) ? "civitai" : "url", url);
        } else if (sha256.isEmpty()) {
            e.add("hash", r.hash().orElseThrow());
        }
        sha256.ifPresent(h -> e.add("sha256", h));
        if (row.decision() == PlanRow.Decision.DOWNLOAD || r.namesAFile()) {
            // a sub-folder kept, where ComfyUI looks
            e.add("filename", r.name().replace('\\', '/'));
        }
        return e.add("model_type", ModelTypes.of(r.folder()).orElseThrow())
                .add("workflow", new JsonObject().add("sha256", workflow).add("node", r.node())
                        .add("node_class", r.nodeClass()));
    }

    /**
     * What a queued row's answer says beyond its job: whether its download is checked by a hash.
     */
    private static JsonObject notes(ManifestEntry entry) {
        return new JsonObject().add("verified", entry.sha256() != null);
    }

    private static JsonObject not(String result, String reason) {
        return new JsonObject().add("result", result).add("reason", reason);
    }

    private static Optional<String> fullSha256(Reference r) {
        return r.hash().map(h -> h.toLowerCase(Locale.ROOT)).filter(h -> h.matches("[0-9a-f]{64}"));
    }
}
