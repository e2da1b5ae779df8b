package civitai.daemon.http;

import static civitai.daemon.testing.TestDaemon.json;
import static civitai.daemon.testing.TestDaemon.manifest;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import civitai.daemon.auth.Jwt;
import civitai.daemon.auth.Role;
import civitai.daemon.civitai.ModelTypes;
import civitai.daemon.events.Event;
import civitai.daemon.events.FailureCode;
import civitai.daemon.manifest.EntryParser;
import civitai.daemon.store.jobs.JobState;
import civitai.daemon.testing.DaemonTest;
import com.eclipsesource.json.JsonObject;
import com.eclipsesource.json.JsonValue;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /api/meta}: the lists the GUI builds itself from, read from the daemon's own types.
 */
class MetaTest extends DaemonTest {
    /** Where a failure or retry code is written: the first argument of these calls. */
    private static final Pattern PRODUCER = Pattern.compile(
            "(?:new (?:Outcome\\.Fail|Outcome\\.Retry|Refusal|RefusalReader\\.Reason|Reason)"
                    + "|\\babort)\\(");
    private static final Pattern LITERAL = Pattern.compile("\"([a-z0-9_]*)\"");

    private JsonObject meta() {
        start(manifest());
        return daemon.getJson("/api/meta");
    }

    private static List<String> strings(JsonValue array) {
        return array.asArray().values().stream().map(JsonValue::asString).toList();
    }

    @Test
    void jobStatesAndEvents_areTheDaemonsOwn_supersededIncluded() {
        JsonObject meta = meta();
        List<String> states = strings(meta.get("job_states"));
        assertEquals(Arrays.stream(JobState.values()).map(JobState::key).toList(), states);
        assertTrue(states.contains("superseded"), states.toString());
        List<String> events = strings(meta.get("events"));
        assertEquals(Event.Kind.values().length + 1, events.size(), events.toString());
        assertTrue(events.containsAll(List.of("job.superseded", "model.update",
                "model.update.error", "reset")), events.toString());
    }

    @Test
    void everyJobState_hasALabelAndASentence_waitingForSpaceAmongTheUnfinished() {
        var texts = meta().get("job_state_texts").asArray().values().stream()
                .map(JsonValue::asObject).toList();
        assertEquals(Arrays.stream(JobState.values()).map(JobState::key).toList(),
                texts.stream().map(t -> t.getString("state", null)).toList());
        for (JsonObject t : texts) {
            assertFalse(t.getString("label", "").isBlank() || t.getString("text", "").isBlank(),
                    t.toString());
        }
        JsonObject waiting = texts.stream()
                .filter(t -> t.getString("state", "").equals("waiting_space")).findFirst()
                .orElseThrow();
        assertEquals("Waiting for space", waiting.getString("label", null));
        assertTrue(waiting.getBoolean("unfinished", false));
        assertTrue(waiting.getString("text", "").contains("min_free_space"), waiting.toString());
    }

    @Test
    void everyFailureCode_hasText() {
        var codes = meta().get("failure_codes").asArray().values().stream().map(JsonValue::asObject)
                .toList();
        assertEquals(FailureCode.values().length, codes.size());
        for (JsonObject c : codes) {
            assertFalse(c.getString("text", "").isBlank(), c.toString());
        }
        assertTrue(codes.stream().anyMatch(c -> c.getString("code", "").equals("http_{status}")
                && c.getString("text", "").contains("{status}")), codes.toString());
    }

    /**
     * A code written where a download fails or retries, but missing from the table, reads as a bare
     * code.
     */
    @Test
    void everyCodeTheSourcesWrite_isInTheTable() throws IOException {
        Set<String> written = new TreeSet<>();
        try (Stream<Path> files = Files.walk(Path.of("src"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                String source = Files.readString(f);
                Matcher m = PRODUCER.matcher(source);
                while (m.find()) {
                    Matcher literal = LITERAL.matcher(firstArgument(source, m.end()));
                    while (literal.find()) {
                        written.add(literal.group(1).equals("http_") ? "http_404"
                                : literal.group(1));
                    }
                }
            }
        }
        assertTrue(written.size() >= 20, "the scan finds the codes: " + written);
        for (String code : written) {
            assertTrue(FailureCode.of(code).isPresent(), code + " has no text in FailureCode");
        }
        assertEquals(FailureCode.HTTP_STATUS, FailureCode.of("http_503").orElseThrow());
        assertTrue(FailureCode.of("no_such_code").isEmpty());
    }

    /** The text from {@code from} to the first comma or closing parenthesis outside brackets. */
    private static String firstArgument(String source, int from) {
        int depth = 0;
        boolean quoted = false;
        for (int i = from; i < source.length(); i++) {
            char c = source.charAt(i);
            if (quoted) {
                quoted = c != '"' || source.charAt(i - 1) == '\\';
            } else if (c == '"') {
                quoted = true;
            } else if (c == '(') {
                depth++;
            } else if ((c == ',' || c == ')') && depth == 0) {
                return source.substring(from, i);
            } else if (c == ')') {
                depth--;
            }
        }
        return "";
    }

    @Test
    void modelTypes_areTheOnesTheDaemonGives_eachAcceptedByTheValidator_withAFolderPerLayout()
            throws Exception {
        var types = meta().get("model_types").asArray().values().stream().map(JsonValue::asObject)
                .toList();
        assertEquals(ModelTypes.known(), types.stream().map(t -> t.getString("type", "")).toList());
        for (String civitai : List.of("Checkpoint", "LORA", "LoCon", "TextualInversion",
                "Controlnet", "Upscaler", "MotionModule", "CLIP", "UNet", "AestheticGradient",
                "Detection", "ComfyWorkflows", "Brand new")) {
            assertTrue(ModelTypes.known().contains(ModelTypes.of(civitai, null)), civitai);
        }
        for (JsonObject t : types) {
            String type = t.getString("type", "");
            EntryParser.parse(new JsonObject().add("model_type", type)
                    .add("filename", "x.safetensors")
                    .add("url", "https://example.org/x"));
            assertEquals(Set.of("flat", "comfyui", "a1111"),
                    Set.copyOf(t.get("folders").asObject().names()), type);
            assertEquals(type, t.get("folders").asObject().getString("flat", ""));
        }
        JsonObject checkpoint = types.stream()
                .filter(t -> t.getString("type", "").equals("checkpoint")).findFirst()
                .orElseThrow().get("folders").asObject();
        assertEquals("models/Stable-diffusion", checkpoint.getString("a1111", ""));
        assertEquals("models/checkpoints", checkpoint.getString("comfyui", ""));
        assertEquals("other", types.get(types.size() - 1).getString("type", ""),
                "other comes last");
    }

    @Test
    void hfEndpoint_isWhereHubLinksAreResolved_andNeverCarriesTheToken() {
        String token = "hf_meta_test_token_0123456789";
        start(config("hf_endpoint", "https://hf-mirror.example", "hf_token", token), manifest());
        var r = daemon.get("/api/meta");
        assertEquals("https://hf-mirror.example", json(r).getString("hf_endpoint", null));
        assertFalse(r.body().contains(token), r.body());
    }

    @Test
    void hfEndpoint_isTheHubsOwnByDefault() {
        assertEquals("https://huggingface.co", meta().getString("hf_endpoint", null));
    }

    @Test
    void aViewer_mayReadIt_andNoOneWithoutAToken() {
        String secret = "a-long-test-jwt-secret-0123456789";
        start(config("jwt_secret", secret), manifest());
        String viewer = new Jwt(secret, Clock.systemUTC()).sign(Role.VIEWER, Duration.ofHours(1));
        assertEquals(200, daemon.send("GET", "/api/meta", null, viewer).statusCode());
        assertEquals(401, daemon.send("GET", "/api/meta", null, null).statusCode());
    }
}
