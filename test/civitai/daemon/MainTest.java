package civitai.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import civitai.daemon.config.PortClaim;
import civitai.daemon.testing.ChildDaemon;
import civitai.daemon.testing.Poll;
import com.eclipsesource.json.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Starting the jar: exit codes and messages a user sees. */
class MainTest {
    @TempDir Path dir;

    private ChildDaemon run(String configText) throws IOException {
        Files.writeString(dir.resolve("config.json"), configText);
        Files.writeString(dir.resolve("manifest.json"), "[]");
        return ChildDaemon.start(dir.resolve("config.json"),
                dir.resolve("out-" + System.nanoTime() + ".txt"));
    }

    @Test
    void badValue_exits78_namingTheKeyTheValueAndWhatIsExpected() throws IOException {
        try (ChildDaemon d = run("{\"workers\": 0}")) {
            assertEquals(78, d.awaitExit(Duration.ofSeconds(30)));
            assertTrue(d.output().contains("config key \"workers\" is 0; expected a whole"
                    + " number from 1 to 64"), d.output());
        }
    }

    @Test
    void jsonSyntaxError_namesLineAndColumn() throws IOException {
        try (ChildDaemon d = run("{\n  \"workers\": 2,\n  \"retries\": ,\n}")) {
            assertEquals(78, d.awaitExit(Duration.ofSeconds(30)));
            assertTrue(d.output().contains("line 3, column 14"), d.output());
        }
    }

    @Test
    void takenPort_exitsWithAClearMessage() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                ChildDaemon d = run("{\"active_port\": " + taken.getLocalPort()
                        + ", \"workers\": 1}")) {
            assertEquals(78, d.awaitExit(Duration.ofSeconds(30)));
            assertTrue(d.output().contains("port " + taken.getLocalPort() + " (config key"
                    + " \"active_port\") is already in use"), d.output());
        }
    }

    @Test
    void twoDaemonsStartedTogetherOnOneConfig_neverShareAPort() throws IOException {
        Files.writeString(dir.resolve("config.json"),
                "{\n  \"workers\": 1,\n  \"active_port\": null\n}\n");
        Files.writeString(dir.resolve("manifest.json"), "[]");
        try (ChildDaemon a = ChildDaemon.start(dir.resolve("config.json"), dir.resolve("a.txt"));
                ChildDaemon b = ChildDaemon.start(dir.resolve("config.json"),
                        dir.resolve("b.txt"))) {
            ChildDaemon loser = awaitOneExit(a, b);
            ChildDaemon winner = loser == a ? b : a;
            assertEquals(78, loser.awaitExit(Duration.ofSeconds(5)), loser.output());
            assertTrue(loser.output().contains("already in use"), loser.output());
            int port = winner.awaitPort();
            assertTrue(port >= PortClaim.FIRST && port <= PortClaim.LAST, "port " + port);
            int saved = Json.parse(Files.readString(dir.resolve("config.json"))).asObject()
                    .getInt("active_port", 0);
            assertEquals(port, saved, "the winner's port is the one saved");
        }
    }

    @Test
    void nullPort_isChosenInRange_andSavedKeepingTheFileAsItWas() throws IOException {
        String original = "{\n  \"workers\": 1,\n  \"active_port\": null,"
                + "\n  \"throttle\": 1.50\n}\n";
        int port;
        try (ChildDaemon d = run(original)) {
            port = d.awaitPort();
        }
        assertNotEquals(8000, port);
        assertTrue(port >= 8100 && port <= 8200, "port " + port);
        assertEquals(original.replace("null", Integer.toString(port)),
                Files.readString(dir.resolve("config.json")));
    }

    @Test
    void serveIsTheDefault_andItsUsageErrorsKeepSysexits64() {
        var err = new ByteArrayOutputStream();
        var stream = new PrintStream(err, true, StandardCharsets.UTF_8);
        assertEquals(64, Main.run(new String[] {"--frobnicate"}, Map.of(), stream, stream));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("unknown argument: --frobnicate"));
        assertEquals(64, Main.run(new String[] {"serve", "--config"}, Map.of(), stream, stream));
        assertEquals(78, Main.run(new String[] {"serve", "--config",
                dir.resolve("missing.json").toString()}, Map.of(), stream, stream),
                "a config that cannot be read");
    }

    private static ChildDaemon awaitOneExit(ChildDaemon a, ChildDaemon b) {
        Poll.until(() -> !a.isAlive() || !b.isAlive(),
                () -> "one daemon to give up:\n" + a.output() + "\n" + b.output());
        return a.isAlive() ? b : a;
    }
}
