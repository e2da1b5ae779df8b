package civitai.daemon.http;

import civitai.daemon.civitai.UpdateChecker;
import civitai.daemon.http.server.ApiException;
import civitai.daemon.http.server.JsonValues;
import civitai.daemon.http.server.Reply;
import civitai.daemon.http.server.Request;
import civitai.daemon.huggingface.HubUpdates;
import com.eclipsesource.json.Json;
import com.eclipsesource.json.JsonArray;
import com.eclipsesource.json.JsonObject;

/**
 * {@code GET /api/updates} (the last check: when, models and Hugging Face files checked, updates,
 * errors, each model's state and each Hub file's) and {@code POST /api/updates/check} (run one now;
 * one at a time).
 */
final class UpdateRoutes {
    private final UpdateChecker checker;

    UpdateRoutes(UpdateChecker checker) {
        this.checker = checker;
    }

    Reply check(Request r) {
        if (!checker.start()) {
            throw new ApiException(409, "conflict", "an update check is already running");
        }
        return Reply.accepted(new JsonObject().add("started", true));
    }

    Reply last(Request r) {
        JsonObject out = new JsonObject().add("running", checker.isRunning());
        UpdateChecker.Run run = checker.last();
        if (run == null) {
            return Reply.ok(out.add("last_run", Json.NULL));
        }
        JsonArray models = new JsonArray();
        for (UpdateChecker.ModelState m : run.models()) {
            models.add(new JsonObject().add("model_id", m.modelId()).add("status", m.status())
                    .add("version_id", JsonValues.nullable(m.versionId()))
                    .add("newest_version_id", JsonValues.nullable(m.newestVersionId()))
                    .add("message", JsonValues.nullable(m.message())));
        }
        JsonArray files = new JsonArray();
        for (HubUpdates.FileState f : run.files()) {
            files.add(new JsonObject().add("source", "huggingface").add("repo", f.repo())
                    .add("path", f.path()).add("revision", f.revision()).add("status", f.status())
                    .add("commit", JsonValues.nullable(f.commit()))
                    .add("newest_commit", JsonValues.nullable(f.newestCommit()))
                    .add("message", JsonValues.nullable(f.message())));
        }
        return Reply.ok(out.add("last_run", new JsonObject()
                .add("started_at", run.started().toString())
                .add("finished_at", run.finished().toString())
                .add("models_checked", run.checked()).add("files_checked", run.files().size())
                .add("updates", run.updates()).add("errors", run.errors())
                .add("models", models).add("files", files)));
    }
}
