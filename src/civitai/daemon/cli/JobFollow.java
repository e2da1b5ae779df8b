package civitai.daemon.cli;

import civitai.daemon.cli.session.DaemonClient;
import civitai.daemon.cli.session.Failure;
import civitai.daemon.cli.session.LiveScreen;
import civitai.daemon.cli.session.Session;
import civitai.daemon.cli.view.Views;
import com.eclipsesource.json.JsonArray;
import com.eclipsesource.json.JsonObject;
import com.eclipsesource.json.JsonValue;
import java.util.List;
import java.util.Set;

/**
 * A set of jobs followed on a {@link LiveScreen} until each has finished: a {@code list}-style
 * table of them, redrawn as events arrive, then a line saying how they ended. Not thread-safe.
 */
final class JobFollow {
    /** States a job does not leave by itself; paused is not one, since the user may resume it. */
    private static final Set<String> FINISHED =
            Set.of("completed", "failed", "cancelled", "superseded");

    private final Session session;
    private final DaemonClient client;
    private final List<Long> ids;

    JobFollow(Session session, DaemonClient client, Set<Long> ids) {
        this.session = session;
        this.client = client;
        this.ids = List.copyOf(ids);
    }

    /** The jobs as they finished; null when the user stopped following first (they go on). */
    JsonArray run(LiveScreen.Placement placement) throws Failure {
        if (ids.isEmpty()) {
            return new JsonArray();
        }
        JsonArray[] last = new JsonArray[1];
        LiveScreen.Frame end = new LiveScreen(session, placement).follow(client, () -> {
            last[0] = fetch();
            return new LiveScreen.Frame(Views.jobs(last[0]).render(),
                    finished(last[0]) == ids.size());
        });
        if (end == null) {
            return null;
        }
        if (placement != LiveScreen.Placement.HIDDEN) {
            session.out().println(outcome(last[0]));
        }
        return last[0];
    }

    static boolean anyFailed(JsonArray jobs) {
        return jobs.values().stream().anyMatch(j ->
                FINISHED.contains(state(j)) && !state(j).equals("completed"));
    }

    private JsonArray fetch() throws Failure {
        JsonArray jobs = new JsonArray();
        for (long id : ids) {
            jobs.add(Views.object(client.get("/api/jobs/" + id), "job"));
        }
        return jobs;
    }

    private static long finished(JsonArray jobs) {
        return jobs.values().stream().filter(j -> FINISHED.contains(state(j))).count();
    }

    /** {@code 2 completed, 1 failed: job 7 (reason)}. */
    private static String outcome(JsonArray jobs) {
        long completed = jobs.values().stream().filter(j -> state(j).equals("completed")).count();
        StringBuilder out = new StringBuilder(completed + " completed");
        long failed = jobs.size() - completed;
        if (failed > 0) {
            out.append(", ").append(failed).append(" did not:");
            for (JsonValue j : jobs) {
                if (!state(j).equals("completed")) {
                    JsonObject job = j.asObject();
                    out.append(" job ").append(Views.text(job, "id", "?")).append(" ")
                            .append(state(j))
                            .append(Views.text(job, "failure_reason") == null ? ""
                                    : " (" + Views.text(job, "failure_reason") + ")");
                }
            }
        }
        return out.toString();
    }

    private static String state(JsonValue job) {
        return Views.text(job.asObject(), "state", "?");
    }
}
