package civitai.daemon.http;

import civitai.daemon.civitai.ModelTypes;
import civitai.daemon.target.Layout;
import civitai.daemon.events.Event;
import civitai.daemon.events.EventStream;
import civitai.daemon.events.FailureCode;
import civitai.daemon.store.JobState;
import com.eclipsesource.json.JsonArray;
import com.eclipsesource.json.JsonObject;
import java.nio.file.Path;
import java.util.Locale;

/**
 * {@code GET /api/meta}: the daemon's own lists, read from the types that define them, so the GUI
 * (or a script) never carries a copy that drifts: the job states, the event stream's names, the
 * model types with their folder in each layout, and every failure code with its sentence.
 * <pre>
 *   curl -s http://127.0.0.1:8123/api/meta
 * </pre>
 */
final class MetaRoutes {
    private final JsonObject meta = new JsonObject()
            .add("job_states", jobStates())
            .add("events", events())
            .add("model_types", modelTypes())
            .add("failure_codes", failureCodes());

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
