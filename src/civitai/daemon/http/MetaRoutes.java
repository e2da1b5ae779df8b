package civitai.daemon.http;

import civitai.daemon.civitai.ModelTypes;
import civitai.daemon.events.Event;
import civitai.daemon.events.EventStream;
import civitai.daemon.events.FailureCode;
import civitai.daemon.http.server.Reply;
import civitai.daemon.http.server.Request;
import civitai.daemon.store.jobs.JobState;
import civitai.daemon.target.Layout;
import com.eclipsesource.json.JsonArray;
import com.eclipsesource.json.JsonObject;
import java.nio.file.Path;
import java.util.Locale;

/**
 * {@code GET /api/meta}: the daemon's own lists, read from the types that define them, so the GUI
 * (or a script) never carries a copy that drifts: the job states (with their label and sentence),
 * the event stream's names, the model types with their folder in each layout, every failure
 * code with its sentence, and {@code hf_endpoint} (where Hub links are resolved, so a mirror's own
 * links are Hub links to the page too; never the token).
 * <pre>
 *   curl -s http://127.0.0.1:8123/api/meta
 * </pre>
 */
final class MetaRoutes {
    private final JsonObject meta;

    MetaRoutes(String hubEndpoint) {
        meta = new JsonObject()
                .add("job_states", jobStates())
                .add("job_state_texts", jobStateTexts())
                .add("events", events())
                .add("model_types", modelTypes())
                .add("failure_codes", failureCodes())
                .add("hf_endpoint", hubEndpoint);
    }

    Reply meta(Request r) {
        return Reply.ok(meta);
    }

    private static JsonArray jobStates() {
        JsonArray states = new JsonArray();
        for (JobState s : JobState.values()) {
            states.add(s.key());
        }
        return states;
    }

    /**
     * How a state reads: a short label, a sentence, and whether the job is unfinished (it waits
     * for the queue, for space or for a person). A switch without default, so a new state is a
     * compile error here until it has its words.
     */
    private record StateText(String label, String text, boolean unfinished) {}

    private static StateText text(JobState s) {
        return switch (s) {
            case QUEUED -> new StateText("Queued", "Waiting for a free download slot", true);
            case DOWNLOADING -> new StateText("Downloading", "Being downloaded", true);
            case VERIFYING -> new StateText("Verifying", "Downloaded; its SHA-256 is being checked",
                    true);
            case COMPLETED -> new StateText("Completed", "Downloaded and verified", false);
            case FAILED -> new StateText("Failed",
                    "Stopped by an error; retry it once the cause is fixed", true);
            case CANCELLED -> new StateText("Cancelled", "Stopped by request", false);
            case PAUSED -> new StateText("Paused", "Paused by request; resume it to go on", true);
            case SUPERSEDED -> new StateText("Superseded",
                    "A newer job for the same file took over", false);
            case WAITING_SPACE -> new StateText("Waiting for space", "Its file would leave less"
                    + " than min_free_space free; it starts by itself once there is room", true);
        };
    }

    private static JsonArray jobStateTexts() {
        JsonArray texts = new JsonArray();
        for (JobState s : JobState.values()) {
            StateText t = text(s);
            texts.add(new JsonObject().add("state", s.key()).add("label", t.label())
                    .add("text", t.text()).add("unfinished", t.unfinished()));
        }
        return texts;
    }

    /** Every event's name, and the stream's own {@code reset}. */
    private static JsonArray events() {
        JsonArray names = new JsonArray();
        for (Event.Kind k : Event.Kind.values()) {
            names.add(k.wire());
        }
        return names.add(EventStream.RESET);
    }

    /** Each type and, per layout, its folder under download_dir ({@code /}-separated). */
    private static JsonArray modelTypes() {
        JsonArray types = new JsonArray();
        for (String type : ModelTypes.known()) {
            JsonObject folders = new JsonObject();
            for (Layout layout : Layout.values()) {
                folders.add(layout.name().toLowerCase(Locale.ROOT),
                        layout.folder(Path.of(""), type).toString().replace('\\', '/'));
            }
            types.add(new JsonObject().add("type", type).add("folders", folders));
        }
        return types;
    }

    private static JsonArray failureCodes() {
        JsonArray codes = new JsonArray();
        for (FailureCode c : FailureCode.values()) {
            codes.add(new JsonObject().add("code", c.code()).add("text", c.text()));
        }
        return codes;
    }
}
