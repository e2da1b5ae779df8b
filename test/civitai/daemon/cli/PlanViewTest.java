package civitai.daemon.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import civitai.daemon.cli.session.ExitCode;
import com.eclipsesource.json.Json;
import com.eclipsesource.json.JsonArray;
import com.eclipsesource.json.JsonObject;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * How each row of a plan (and of its queueing) counts for the user, and the summary it adds up to.
 */
class PlanViewTest {
    private static JsonObject row(String decision, String queue) {
        JsonObject row = new JsonObject().add("name", "m.safetensors").add("decision", decision);
        return queue == null ? row : row.add("queue", Json.parse(queue).asObject());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', nullValues = "-", value = {
        "present           | -                                                  | PRESENT",
        "present_elsewhere | -                                                  | PRESENT",
        "download          | -                                                  | DOWNLOAD",
        "lookup_hash       | -                                                  | DOWNLOAD",
        "conflict          | -                                                  | CHOICE",
        "ambiguous         | -                                                  | CHOICE",
        "unknown_folder    | -                                                  | CHOICE",
        "refused           | -                                                  | CHOICE",
        "not_found         | -                                                  | NOT_FOUND",
        "download          | {\"result\": \"queued\", \"job_id\": 3}            | QUEUED",
        "download          | {\"result\": \"held\", \"job_id\": 2}              | QUEUED",
        "download          | {\"result\": \"duplicate\", \"row\": 0}            | QUEUED",
        "download          | {\"result\": \"failed\", \"code\": \"gated\"}      | UNQUEUED",
        "lookup_hash       | {\"result\": \"failed\", \"code\": \"not_found\"}  | NOT_FOUND",
        "lookup_hash       | {\"result\": \"failed\", \"reason\": \"short\"}    | UNQUEUED",
        "not_found         | {\"result\": \"not_queued\"}                       | NOT_FOUND",
    })
    void eachRow_countsAsWhatItMeansForTheUser(String decision, String queue,
            PlanView.Outcome expected) {
        assertEquals(expected, PlanView.outcome(row(decision, queue)));
    }

    @Test
    void summary_alwaysNamesTheFourCounts_andTheOthersWhenThereAreAny() {
        PlanView plan = view(false, row("present", null), row("download", null),
                row("not_found", null));
        assertEquals("1 present, 1 to download, 0 need a choice, 1 not found", plan.summary());
        assertEquals(ExitCode.INCOMPLETE, plan.exitCode());
        assertEquals(ExitCode.OK, view(false, row("present", null), row("lookup_hash", null))
                .exitCode());
        PlanView queued = view(true, row("download", "{\"result\": \"queued\", \"job_id\": 1}"),
                row("download", "{\"result\": \"failed\", \"code\": \"gated\"}"));
        assertEquals("0 present, 1 queued, 1 could not be queued, 0 need a choice, 0 not found",
                queued.summary());
        assertEquals(ExitCode.INCOMPLETE, queued.exitCode());
    }

    @Test
    void source_isTheLibraryTheUrlsHostOrCivitaiByHash() {
        assertEquals("library", PlanView.source(row("present_elsewhere", null)));
        assertEquals("huggingface.co", PlanView.source(row("download", null)
                .add("url",
                        "https://huggingface.co/a/b/resolve/main/c.safetensors?download=true")));
        assertEquals("civitai by hash",
                PlanView.source(row("lookup_hash", null).add("hash", "6ce0161689")));
        assertEquals("-", PlanView.source(row("not_found", null)));
    }

    private static PlanView view(boolean queued, JsonObject... rows) {
        JsonArray models = new JsonArray();
        Arrays.stream(rows).forEach(models::add);
        JsonObject answer = new JsonObject().add("models", models);
        return new PlanView(queued ? answer.add("queued", 1) : answer);
    }
}
