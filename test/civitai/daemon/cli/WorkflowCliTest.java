package civitai.daemon.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import civitai.daemon.cli.session.ExitCode;
import civitai.daemon.testing.Bytes;
import civitai.daemon.testing.DaemonTest;
import civitai.daemon.testing.Fault;
import civitai.daemon.testing.Poll;
import com.eclipsesource.json.Json;
import com.eclipsesource.json.JsonArray;
import com.eclipsesource.json.JsonObject;
import com.eclipsesource.json.WriterConfig;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@code workflow FILE [--yes] [--json]} against a real daemon on the comfyui layout: the plan of
 * real ComfyUI workflows (test/resources/workflows), queued and followed to the end, and A1111
 * text on standard input.
 */
class WorkflowCliTest extends DaemonTest {
    private static final Path FIXTURES = Path.of("test/resources/workflows");
    private static final String HF_URL =
            "https://huggingface.co/Comfy-Org/stable-diffusion-v1-5-archive/resolve/main/"
            + "v1-5-pruned-emaonly-fp16.safetensors?download=true";
    private static final String CHECKPOINT = "v1-5-pruned-emaonly-fp16.safetensors";

    private record Run(int code, String out, String err) {}

    private Run cli(byte[] stdin, String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--config", dir.resolve("config.json").toString()));
        var out = new ByteArrayOutputStream();
        var err = new ByteArrayOutputStream();
        int code = Cli.run("workflow", all, Map.of(), new ByteArrayInputStream(stdin),
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(code, out.toString(StandardCharsets.UTF_8),
                err.toString(StandardCharsets.UTF_8));
    }

    private Run cli(String... args) {
        return cli(new byte[0], args);
    }

    /**
     * Starts on the comfyui layout, its port in config.json, once the start's library scan has
     * ended.
     */
    private void startComfy() throws IOException {
        start(config("layout", "comfyui"), new JsonArray());
        JsonObject c = Json.parse(Files.readString(dir.resolve("config.json"))).asObject();
        Files.writeString(dir.resolve("config.json"), c.set("active_port", daemon.port())
                .toString(WriterConfig.PRETTY_PRINT));
        Poll.until(() -> {
            JsonObject scan = daemon.getJson("/api/library/scan");
            return !scan.getBoolean("running", true) && scan.get("last").isObject();
        }, () -> "the start's library scan to end");
    }

    private Path comfy(String folder, String name) {
        return daemon.models().resolve("models").resolve(folder).resolve(name).toAbsolutePath()
                .normalize();
    }

    private Path library(String folder, String name, byte[] content) throws IOException {
        Path file = dir.resolve("models/models").resolve(folder).resolve(name);
        Files.createDirectories(file.getParent());
        return Files.write(file, content);
    }

    /** ComfyUI's default workflow, its checkpoint's URL pointing at the fake storage host. */
    private Path defaultWorkflowFrom(URI url) throws IOException {
        String text = Files.readString(FIXTURES.resolve("default.json"));
        assertTrue(text.contains(HF_URL), "the fixture still names its Hugging Face URL");
        return Files.writeString(dir.resolve("default.json"), text.replace(HF_URL, url.toString()));
    }

    private static String line(String table, String name) {
        return table.lines().filter(l -> l.contains(" " + name + " ")).findFirst()
                .orElseThrow(() -> new AssertionError("no row for " + name + " in\n" + table));
    }

    private long jobs() {
        return daemon.db().count("SELECT count(*) FROM jobs");
    }

    @Test
    void plan_ofARealWorkflow_isATableOfEveryModel_andExits4ForTheOnesNotFound()
            throws IOException {
        library("checkpoints", "sd15/realisticVisionV51_v51VAE.safetensors",
                Bytes.random(2_000, 7));
        startComfy();
        Run r = cli(FIXTURES.resolve("ipadapter_advanced.json").toString());
        assertEquals(ExitCode.INCOMPLETE, r.code(), r.err() + r.out());
        List<String> lines = r.out().lines().toList();
        assertTrue(lines.get(0).matches(
                "DECISION\\s+FOLDER\\s+NAME\\s+SIZE\\s+SOURCE\\s+TARGET / REASON"), r.out());
        String present = line(r.out(), "sd15/realisticVisionV51_v51VAE.safetensors");
        assertTrue(present.matches("present\\s+checkpoints\\s+\\S+\\s+2\\.0 KiB\\s+library\\s+"
                + Pattern.quote(comfy("checkpoints", "sd15/realisticVisionV51_v51VAE.safetensors")
                .toString())), present);
        String missing = line(r.out(), "ip-adapter-plus_sd15.safetensors");
        assertTrue(missing.matches("not_found\\s+ipadapter\\s+\\S+\\s+-\\s+-\\s+a name alone,"
                + " and no library file has it"), missing);
        long notFound = lines.stream().filter(l -> l.startsWith("not_found ")).count();
        assertEquals("1 present, 0 to download, 0 need a choice, " + notFound + " not found",
                lines.getLast());
        Run json = cli(FIXTURES.resolve("ipadapter_advanced.json").toString(), "--json");
        assertEquals(ExitCode.INCOMPLETE, json.code(), json.err());
        assertEquals(lines.size() - 2,
                Json.parse(json.out()).asObject().get("models").asArray().size(),
                "one table row per reference: " + json.out());
        assertEquals(0, jobs(), "a plan queues nothing");
    }

    @Test
    void json_isTheDaemonsPlan_withEveryRow() throws IOException {
        startComfy();
        Path workflow = defaultWorkflowFrom(storage.put(CHECKPOINT, Bytes.random(1_000, 3)));
        Run r = cli(workflow.toString(), "--json");
        assertEquals(ExitCode.OK, r.code(), r.err() + r.out());
        JsonObject answer = Json.parse(r.out()).asObject();
        JsonArray models = answer.get("models").asArray();
        assertEquals(1, models.size(), r.out());
        JsonObject row = models.get(0).asObject();
        assertEquals(CHECKPOINT, row.getString("name", null));
        assertEquals("download", row.getString("decision", null));
        assertEquals(comfy("checkpoints", CHECKPOINT).toString(), row.getString("target", null));
        assertEquals(1, answer.get("summary").asObject().getInt("download", 0));
        assertEquals(0, jobs());
        assertTrue(storage.requests(CHECKPOINT).isEmpty(), "the plan fetched nothing");
    }

    @Test
    void yes_queuesWhatIsMissing_andFollowsItToCompletion() throws IOException {
        byte[] content = Bytes.random(300_000, 11);
        startComfy();
        Path workflow = defaultWorkflowFrom(storage.put(CHECKPOINT, content));
        Run plan = cli(workflow.toString());
        assertEquals(ExitCode.OK, plan.code(), plan.err() + plan.out());
        assertTrue(line(plan.out(), CHECKPOINT)
                .matches("download\\s+checkpoints\\s+\\S+\\s+-\\s+127\\.0\\.0\\.1\\s+"
                + Pattern.quote(comfy("checkpoints", CHECKPOINT).toString())), plan.out());
        assertTrue(plan.out().endsWith("0 present, 1 to download, 0 need a choice, 0 not found\n"),
                plan.out());

        Run r = cli(workflow.toString(), "--yes");
        assertEquals(ExitCode.OK, r.code(), r.err() + r.out());
        assertTrue(r.out().lines().findFirst().orElse("")
                .matches("DECISION.*SOURCE\\s+QUEUE\\s+TARGET / REASON"), r.out());
        assertTrue(line(r.out(), CHECKPOINT).contains(" job 1 "), r.out());
        assertTrue(r.out().contains("0 present, 1 queued, 0 need a choice, 0 not found\n"),
                r.out());
        assertTrue(r.out().matches("(?s).*\\s1\\s+completed\\s+checkpoint.*" + CHECKPOINT + ".*"),
                "the job's row: " + r.out());
        assertTrue(r.out().endsWith("1 completed\n"), r.out());
        assertEquals("completed", daemon.job(1).get("state"),
                "followed to the end before it returned");
        assertArrayEquals(content, Files.readAllBytes(comfy("checkpoints", CHECKPOINT)));

        Run again = cli(workflow.toString(), "--yes", "--json");
        assertEquals(ExitCode.OK, again.code(), again.err() + again.out());
        JsonObject answer = Json.parse(again.out()).asObject();
        assertEquals(0, answer.getInt("queued", -1), "nothing new: " + again.out());
        assertEquals("present", answer.get("models").asArray().get(0).asObject()
                .getString("decision", null));
        assertEquals(new JsonArray(), answer.get("jobs"), "nothing to follow");
        assertTrue(line(cli(workflow.toString()).out(), CHECKPOINT)
                .matches("present\\s+checkpoints\\s+\\S+\\s+293\\.0 KiB"
                + "\\s+library\\s+.*"), "its size, now that the library has it");
        assertEquals(1, jobs());
    }

    @Test
    void yes_whenTheDownloadFails_exits5_namingTheJob() throws IOException {
        startComfy();
        Path workflow = defaultWorkflowFrom(storage.put(CHECKPOINT, Bytes.random(1_000, 4)));
        storage.fault(CHECKPOINT, new Fault.Status(404, "text/plain", "gone"),
                new Fault.Status(404, "text/plain", "gone"));
        Run r = cli(workflow.toString(), "--yes");
        assertEquals(ExitCode.DOWNLOAD_FAILED, r.code(), r.err() + r.out());
        assertTrue(r.out().contains("0 completed, 1 did not: job 1 failed (not_found)\n"), r.out());
        assertEquals("failed", daemon.job(1).get("state"));

        // the failed job again, or a new one that fails
        Run json = cli(workflow.toString(), "--yes", "--json");
        assertEquals(ExitCode.DOWNLOAD_FAILED, json.code(), json.err() + json.out());
        JsonObject job = Json.parse(json.out()).asObject().get("jobs").asArray().get(0).asObject();
        assertEquals("failed", job.getString("state", null), json.out());
    }

    @Test
    void stdin_takesA1111Text_andFindsTheCheckpointByItsShortHash() throws IOException {
        byte[] model = Bytes.random(5_000, 9);
        Path file = library("checkpoints", "anything-v5-pruned.safetensors", model);
        startComfy();
        String autoV2 = Bytes.sha256(model).substring(0, 10);
        String parameters = """
                a girl <lora:add_detail:0.6>
                Negative prompt: bad
                Steps: 20, Sampler: DPM++ 2M, CFG scale: 7, Seed: 1, Model hash: %s, Model: anything-v5, \
                Lora hashes: "add_detail: 7c6bad76eb54", Version: v1.6.0
                """.formatted(autoV2);
        Run r = cli(parameters.getBytes(StandardCharsets.UTF_8), "-");
        assertEquals(ExitCode.OK, r.code(), r.err() + r.out());
        String checkpoint = line(r.out(), "anything-v5");
        assertTrue(checkpoint.matches("present_elsewhere\\s+checkpoints\\s+anything-v5\\s+4\\.9"
                + " KiB\\s+library\\s+same hash at "
                + Pattern.quote(file.toAbsolutePath().normalize().toString()) + ".*"), checkpoint);
        assertTrue(line(r.out(), "add_detail")
                .matches("lookup_hash\\s+loras\\s+add_detail\\s+-\\s+civitai by hash\\s+.*"),
                r.out());
        assertTrue(r.out().endsWith("1 present, 1 to download, 0 need a choice, 0 not found\n"),
                r.out());
    }

    @Test
    void aMissingFolderOrEmptyInput_isAUsageError_sayingWhich() throws IOException {
        startComfy();
        Path nope = dir.resolve("nope.json");
        Run missing = cli(nope.toString());
        assertEquals(ExitCode.USAGE, missing.code(), missing.err());
        assertTrue(missing.err().contains("no such file: " + nope), missing.err());
        assertTrue(missing.out().isEmpty(), missing.out());
        Run folder = cli(dir.toString());
        assertEquals(ExitCode.USAGE, folder.code());
        assertTrue(folder.err().contains("is a folder, not a workflow file"), folder.err());
        Run empty = cli("-");
        assertEquals(ExitCode.USAGE, empty.code());
        assertTrue(empty.err().contains("standard input is empty"), empty.err());
        assertEquals(ExitCode.USAGE, cli().code(), "no file at all");
        Run garbage = cli("hello there".getBytes(StandardCharsets.UTF_8), "-");
        assertEquals(ExitCode.ERROR, garbage.code(), "the daemon's 400");
        assertTrue(garbage.err().contains("not a ComfyUI workflow"), garbage.err());
        assertTrue(Cli.HELP.contains("  workflow FILE [--yes] "), "the help lists it");
    }
}
