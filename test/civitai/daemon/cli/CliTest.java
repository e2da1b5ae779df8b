package civitai.daemon.cli;

import static civitai.daemon.testing.TestDaemon.entry;
import static civitai.daemon.testing.TestDaemon.manifest;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import civitai.daemon.Main;
import civitai.daemon.cli.session.Args;
import civitai.daemon.cli.session.ExitCode;
import civitai.daemon.cli.session.Failure;
import civitai.daemon.cli.session.Locator;
import civitai.daemon.cli.session.Target;
import civitai.daemon.testing.Bytes;
import civitai.daemon.testing.DaemonTest;
import civitai.daemon.testing.FakeHub;
import civitai.daemon.testing.Poll;
import com.eclipsesource.json.Json;
import com.eclipsesource.json.JsonObject;
import com.eclipsesource.json.WriterConfig;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Every client command, in-process through {@link Main#run}, against a real daemon that the
 * client finds from its config.json (with the port the daemon chose) and whose jwt_secret it uses
 * to sign its own admin token.
 */
class CliTest extends DaemonTest {
    static final String SECRET = "cli-test-secret-0123456789abcdef";
    static final long FLUX_MODEL = 1231067;
    static final long FLUX_VERSION = 1387174;
    final byte[] content = Bytes.random(600_000, 7);

    /** What one command printed and returned. */
    record Run(int code, String out, String err) {}

    Run cli(Map<String, String> env, String... args) {
        var out = new ByteArrayOutputStream();
        var err = new ByteArrayOutputStream();
        int code = Main.run(args, env, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(code, out.toString(StandardCharsets.UTF_8),
                err.toString(StandardCharsets.UTF_8));
    }

    /** A command pointed at the test daemon's config file. */
    Run cli(String... args) {
        String[] all = Arrays.copyOf(args, args.length + 2);
        all[args.length] = "--config";
        all[args.length + 1] = dir.resolve("config.json").toString();
        return cli(Map.of(), all);
    }

    Run ok(String... args) {
        Run r = cli(args);
        assertEquals(0, r.code(), "exit code of " + String.join(" ", args) + "; err: " + r.err()
                + "; out: " + r.out());
        return r;
    }

    /**
     * Starts the daemon with auth on, then writes its port into config.json, as a port-choosing
     * start does.
     */
    void startWithPortInConfig() throws IOException {
        start(config("jwt_secret", SECRET), manifest());
        JsonObject c = Json.parse(Files.readString(dir.resolve("config.json"))).asObject();
        Files.writeString(dir.resolve("config.json"),
                c.set("active_port", daemon.port()).toString(WriterConfig.PRETTY_PRINT));
    }

    @Test
    void add_aHuggingFaceLinkWithAType_isPinnedAndVerifiedByTheHubsSha256() throws IOException {
        byte[] vae = Bytes.random(200_000, 43);
        try (FakeHub hub = FakeHub.start()) {
            String commit = hub.push("org/flux", "main", "vae/ae.safetensors", vae, true);
            start(config("jwt_secret", SECRET, "hf_endpoint", hub.base().toString()), manifest());
            JsonObject c = Json.parse(Files.readString(dir.resolve("config.json"))).asObject();
            Files.writeString(dir.resolve("config.json"),
                    c.set("active_port", daemon.port()).toString(WriterConfig.PRETTY_PRINT));
            Run r = ok("add", hub.base() + "/org/flux/blob/main/vae/ae.safetensors?download=true",
                    "--type", "vae");
            assertTrue(r.out().contains("queued as job 1: vae/ae.safetensors"), r.out());
            daemon.await(1, "completed");
            assertEquals(FakeHub.sha256(vae), daemon.job(1).get("expected_sha256"),
                    "the Hub's hash, not none");
            assertTrue(((String) daemon.job(1).get("url")).contains("/resolve/" + commit + "/"),
                    "pinned to the commit");
            Run missing = cli("add", hub.base() + "/org/flux/blob/main/nope.safetensors", "--type",
                    "vae");
            assertEquals(1, missing.code(), missing.out() + missing.err());
            assertTrue(missing.err().contains("nope.safetensors"),
                    "the Hub's refusal, naming the file: " + missing.err());
        }
    }

    @Test
    void status_findsTheDaemonFromItsConfig_signsItsOwnToken_andPrintsTableOrJson()
            throws IOException {
        startWithPortInConfig();
        Run r = ok("status");
        assertTrue(r.out().startsWith("civitai-daemon "), r.out());
        assertTrue(r.out().contains("at http://127.0.0.1:" + daemon.port()), r.out());
        assertTrue(r.out().contains("no active downloads"), r.out());
        JsonObject json = Json.parse(ok("status", "--json").out()).asObject();
        assertEquals(daemon.port(), json.getInt("port", 0));
    }

    @Test
    void add_byUrlModelIdLinkAndAir_queuesEach_andListAndCompletedShowThem() throws IOException {
        startWithPortInConfig();
        String url = storage.put("plain", content).toString();
        String queued = ok("add", url, "--type", "lora", "--priority", "7").out();
        assertTrue(queued.contains("queued as job 1: lora, file name from the server (" + url
                + ")"), queued);
        daemon.await(1, "completed");
        assertEquals(7L, ((Number) daemon.job(1).get("priority")).longValue());
        JsonObject first = Json.parse(ok("list", "--json").out()).asObject().get("jobs").asArray()
                .get(0).asObject();
        assertEquals("plain", first.getString("filename", null),
                "a completed job names the file the server gave");

        Run byLink = ok("add", civitai.base() + "/models/" + FLUX_MODEL + "?modelVersionId="
                + FLUX_VERSION);
        assertTrue(byLink.out().contains("queued as job 2:"
                + " lora/pp-storybook_rank2_bf16.safetensors"), byLink.out());
        daemon.await(2, "completed");
        assertTrue(ok("add", "urn:air:flux1:lora:civitai:1231067@1387174").out()
                .contains("already downloaded as job 2"));
        JsonObject byId = Json.parse(ok("add", Long.toString(FLUX_MODEL), "--json").out())
                .asObject();
        assertEquals("already_completed", byId.getString("result", ""),
                "its newest version is the one we have");
        assertEquals(2, byId.get("job").asObject().getInt("id", 0));

        String list = ok("list", "--state", "completed").out();
        assertTrue(list.lines().findFirst().orElse("")
                .matches("\\s*ID\\s+STATE\\s+TYPE\\s+PRI\\s+PROGRESS.*"), list);
        assertTrue(list.contains("pp-storybook_rank2_bf16.safetensors") && list.contains("plain"),
                list);
        String completed = ok("completed", "--type", "lora").out();
        assertTrue(completed.contains(Bytes.sha256(content).substring(0, 12)), completed);
        assertTrue(completed.contains(daemon.models().resolve("lora").toString()), completed);
    }

    @Test
    void batch_queuesAManifestFile() throws IOException {
        startWithPortInConfig();
        Path file = dir.resolve("more.json");
        Files.writeString(file, manifest(
                entry("checkpoint", "b1.safetensors", storage.put("b1", content), null),
                entry("vae", "b2.safetensors", storage.put("b2", content), null)).toString());
        Run r = ok("batch", file.toString());
        assertTrue(r.out().contains("queued") && r.out().contains("b1.safetensors")
                && r.out().contains("b2.safetensors"), r.out());
        daemon.await(daemon.idOf("b2.safetensors"), "completed");
    }

    @Test
    void pauseResumeCancelRetryAndRemove_driveOneJob() throws IOException {
        startWithPortInConfig();
        storage.pace(200_000);
        ok("add", storage.put("slow", content).toString(), "--type", "lora");
        String[] screen = {""};
        Poll.until(() -> (screen[0] = ok("status").out())
                .matches("(?s).*\\[[#-]{20}\\]\\s+\\d+%.*slow.*"),
                () -> "a progress bar once the size is known: " + screen[0]);
        assertTrue(ok("pause", "1").out().contains("job 1 is paused"));
        assertTrue(ok("resume", "1").out().contains("job 1 is queued"));
        assertTrue(ok("cancel", "1").out().contains("job 1 is cancelled"));
        storage.pace(0);
        assertTrue(ok("retry", "1").out().contains("job 1 is queued"));
        daemon.await(1, "completed");
        Path file = daemon.models().resolve("lora/slow");
        assertTrue(Files.exists(file));
        assertTrue(ok("remove", "1", "--delete-file").out()
                .contains("job 1 removed, and its file deleted"));
        assertFalse(Files.exists(file));
        assertEquals(0, daemon.db().count("SELECT count(*) FROM jobs"));
    }

    @Test
    void metricsUpdatesAndCheckUpdates_report() throws IOException {
        startWithPortInConfig();
        ok("add", storage.put("m", content).toString(), "--type", "vae");
        daemon.await(1, "completed");
        String metrics = ok("metrics").out();
        assertTrue(metrics.contains("jobs completed") && metrics.contains("585.9 KiB"), metrics);
        assertTrue(ok("updates").out().contains("no update check has run yet"));
        assertTrue(ok("check-updates").out().contains("update check started"));
        Poll.until(() -> ok("updates").out().startsWith("last check "),
                () -> "the check to finish");
    }

    @Test
    void aDaemonError_exits1_withTheDaemonsMessage() throws IOException {
        startWithPortInConfig();
        Run missing = cli("pause", "999");
        assertEquals(1, missing.code());
        assertTrue(missing.err().contains("404") && missing.err().contains("no job 999"),
                missing.err());
        String viewer = ok("token", "--role", "viewer", "--ttl", "5m").out().strip();
        Run forbidden = cli("cancel", "1", "--token", viewer);
        assertEquals(1, forbidden.code());
        assertTrue(forbidden.err().contains("403") && forbidden.err().contains("admin"),
                forbidden.err());
        Run notAToken = cli("status", "--token", "garbage");
        assertEquals(1, notAToken.code());
        assertTrue(notAToken.err().contains("401"), notAToken.err());
    }

    @Test
    void badArguments_exit2_namingTheProblem() throws IOException {
        startWithPortInConfig();
        String[][] cases = {
            {"pause", "abc"}, {"list", "--state", "sleeping"}, {"add"}, {"status", "--frobnicate"},
            {"frobnicate"}, {"add", "1", "--priority", "high"}, {"token", "--role", "root"},
            {"token", "--role", "admin", "--ttl", "forever"},
            {"batch", dir.resolve("nope.json").toString()}, {"remove", "1", "2"},
        };
        for (String[] args : cases) {
            Run r = cli(args);
            assertEquals(2, r.code(), String.join(" ", args) + ": " + r.err());
            assertFalse(r.err().isBlank(), String.join(" ", args));
            assertTrue(r.out().isEmpty(), String.join(" ", args) + " printed " + r.out());
        }
        assertTrue(cli("list", "--state", "sleeping").err().contains("--state must be one of"));
    }

    @Test
    void aStoppedDaemon_exits3_sayingWhereItLooked() throws IOException {
        startWithPortInConfig();
        int port = daemon.port();
        daemon.stop();
        Run r = cli("status");
        assertEquals(3, r.code(), r.err());
        assertTrue(r.err().contains("http://127.0.0.1:" + port)
                && r.err().contains(dir.resolve("config.json").toString()), r.err());
        Run byUrl = cli(Map.of("CIVITAI_DAEMON_URL", "http://127.0.0.1:" + port), "list");
        assertEquals(3, byUrl.code(), byUrl.err());
        assertTrue(byUrl.err().contains("CIVITAI_DAEMON_URL"), byUrl.err());
    }

    @Test
    void noConfigAnywhere_exits3_listingEveryPlaceItLooked() throws IOException {
        Path empty = Files.createDirectories(dir.resolve("empty"));
        Locator locator = new Locator(Map.of("HOME", empty.toString(), "CIVITAI_DAEMON_DATA_DIR",
                empty.resolve("data").toString()), empty);
        try {
            locator.locate(Args.parse(List.of(), Set.of(), Set.of()));
            throw new AssertionError("found a daemon in an empty folder");
        } catch (Failure f) {
            assertEquals(ExitCode.UNREACHABLE, f.exitCode);
            for (String where : new String[] {empty.resolve("config.json").toString(),
                    empty.resolve("data/config.json").toString(),
                    "/var/lib/civitai-daemon/config.json",
                    empty.resolve(".local/share/civitai-daemon/config.json").toString()}) {
                assertTrue(f.getMessage().contains(where), where + " in " + f.getMessage());
            }
        }
    }

    @Test
    void theDataFoldersConfig_andTheSecretsFileBesideIt_areUsed() throws Exception {
        startWithPortInConfig();
        JsonObject c = Json.parse(Files.readString(dir.resolve("config.json"))).asObject();
        // the secret is in the secrets file instead
        Files.writeString(dir.resolve("config.json"), c.set("jwt_secret", "").toString());
        Files.writeString(dir.resolve(Locator.SECRETS_FILE),
                "CIVITAI_API_KEY=x\nCIVITAI_DAEMON_JWT_SECRET=" + SECRET + "\n");
        Path elsewhere = Files.createDirectories(dir.resolve("elsewhere"));
        Locator locator = new Locator(Map.of("CIVITAI_DAEMON_DATA_DIR", dir.toString()), elsewhere);
        Target t = locator.locate(Args.parse(List.of(), Set.of(), Set.of()));
        assertEquals(dir.resolve("config.json").toString(), t.source());
        assertEquals(200, daemon.send("GET", "/api/status", null, t.token()).statusCode());
    }

    @Test
    void watch_redrawsInPlaceOnEvents_untilTheDaemonStops() throws Exception {
        startWithPortInConfig();
        var out = new ByteArrayOutputStream();
        int[] code = {-1};
        Thread watcher = Thread.ofVirtual().start(() -> code[0] = Main.run(new String[] {"status",
                "--watch", "--config", dir.resolve("config.json").toString()}, Map.of(),
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(new ByteArrayOutputStream())));
        Poll.until(() -> out.toString(StandardCharsets.UTF_8).contains("no active downloads"),
                () -> "a first screen");
        ok("add", storage.put("watched", content).toString(), "--type", "lora");
        daemon.await(1, "completed");
        Poll.until(() -> out.toString(StandardCharsets.UTF_8).contains("1 completed"),
                () -> "a redraw: " + out);
        String screen = out.toString(StandardCharsets.UTF_8);
        assertTrue(screen.startsWith("\033[H") && screen.indexOf("\033[H", 1) > 0,
                "redrawn in place: " + screen);
        daemon.stop();
        watcher.join(Duration.ofSeconds(30));
        assertFalse(watcher.isAlive(), "watch ends with the stream");
        assertEquals(3, code[0]);
    }

    @Test
    void versionAndHelp_needNoDaemon() {
        assertTrue(cli(Map.of(), "version").out().matches("civitai-daemon \\S+\\n"));
        Run help = cli(Map.of(), "help");
        for (String command : new String[] {"status", "list", "add", "batch",
                "pause|resume|cancel|retry", "remove", "completed", "metrics", "updates",
                "check-updates", "token"}) {
            assertTrue(help.out().contains("  " + command + " "), command);
        }
    }
}
