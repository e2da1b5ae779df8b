package civitai.daemon.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import civitai.daemon.Main;
import civitai.daemon.testing.Bytes;
import civitai.daemon.testing.DaemonTest;
import civitai.daemon.testing.Poll;
import com.eclipsesource.json.Json;
import com.eclipsesource.json.JsonArray;
import com.eclipsesource.json.JsonObject;
import com.eclipsesource.json.WriterConfig;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code scan}, {@code library}, {@code dupes} and {@code adopt} against a real daemon. */
class LibraryCliTest extends DaemonTest {
    private record Run(int code, String out, String err) {}

    private Run cli(String... args) {
        String[] all = Arrays.copyOf(args, args.length + 2);
        all[args.length] = "--config";
        all[args.length + 1] = dir.resolve("config.json").toString();
        var out = new ByteArrayOutputStream();
        var err = new ByteArrayOutputStream();
        int code = Main.run(all, Map.of(), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(code, out.toString(StandardCharsets.UTF_8),
                err.toString(StandardCharsets.UTF_8));
    }

    private Run ok(String... args) {
        Run r = cli(args);
        assertEquals(0, r.code(), String.join(" ", args) + ": " + r.err() + r.out());
        return r;
    }

    @Test
    void scanWatch_thenLibraryDupesAndAdopt_printWhatTheIndexHolds() throws IOException {
        byte[] flux = civitai.content(1387174);
        Path models = dir.resolve("models/lora");
        Files.createDirectories(models);
        Files.write(models.resolve("flux.safetensors"), flux);
        Files.write(models.resolve("flux-copy.safetensors"), flux);
        Files.write(models.resolve("own.safetensors"), Bytes.random(4096, 5));
        start(new JsonArray());
        JsonObject c = Json.parse(Files.readString(dir.resolve("config.json"))).asObject();
        Files.writeString(dir.resolve("config.json"), c.set("active_port", daemon.port())
                .toString(WriterConfig.PRETTY_PRINT));
        Poll.until(() -> !daemon.getJson("/api/library/scan").getBoolean("running", true),
                () -> "the start's own scan to end");

        String watched = ok("scan", "--watch").out();
        assertTrue(watched.contains("scan done: 3 files"), watched);
        String list = ok("library", "--sort", "size").out();
        assertTrue(list.contains("flux.safetensors") && list.contains("1231067@1387174"), list);
        assertTrue(ok("library", "--unidentified").out().contains("own.safetensors"));
        String dupes = ok("dupes").out();
        assertTrue(dupes.contains("flux-copy.safetensors")
                && dupes.contains("wasted in all: 18.4 MiB"), dupes);
        String adopted = ok("adopt", models.resolve("flux.safetensors").toString()).out();
        assertTrue(adopted.startsWith("adopted 1 file(s) (update: notify)"), adopted);
        assertEquals(2, cli("adopt", "--update", "sometimes").code(), "a usage error");
        assertEquals(1, cli("scan", "--root", "/not/a/root").code(), "the daemon's 400");
    }
}
