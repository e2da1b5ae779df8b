package civitai.daemon.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class LogTest {
    @TempDir Path dir;

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "GET https://civitai.com/api/download/models/1?token=abc123&x=1 |"
                + " GET https://civitai.com/api/download/models/1?token=[REDACTED]&x=1",
        "https://r2.example/f?X-Amz-Signature=deadbeef&X-Amz-Date=1   |"
                + " https://r2.example/f?X-Amz-Signature=[REDACTED]&X-Amz-Date=1",
        "/api/events?access_token=eyJhbGciOi.x.y                       |"
                + " /api/events?access_token=[REDACTED]",
        "Authorization: Bearer abcdef.123                             |"
                + " Authorization: Bearer [REDACTED]",
        "AUTHORIZATION: BEARER abcdef.123                             |"
                + " AUTHORIZATION: BEARER [REDACTED]",
        "header bEaReR\tabcdef.123 at the end                          |"
                + " header bEaReR\t[REDACTED] at the end",
        "https://user:pa55@host.example/m.safetensors                 |"
                + " https://[REDACTED]@host.example/m.safetensors",
        "key is my-civitai-key-123 here                               | key is [REDACTED] here",
    })
    void secretsAreRedacted(String line, String expected) {
        assertEquals(expected, new Redactor(List.of("my-civitai-key-123")).redact(line));
    }

    @Test
    void downloadLogHasEverything_errorLogOnlyWarningsAndErrors() throws IOException {
        var console = new ByteArrayOutputStream();
        try (DaemonLog log = new DaemonLog(dir, 1 << 20, 3, new Redactor(List.of("s3cr3t-value")),
                Clock.systemUTC(), new PrintStream(console, true))) {
            log.job(7, "queued", "lora/x.safetensors");
            log.warn("retrying with s3cr3t-value");
            log.error("boom", new IllegalStateException("bad"));
        }
        String downloads = Files.readString(dir.resolve("download.log"));
        String errors = Files.readString(dir.resolve("error.log"));
        assertTrue(downloads.contains("INFO job 7 queued: lora/x.safetensors"));
        assertTrue(downloads.contains("WARN retrying with [REDACTED]"));
        assertFalse(errors.contains("queued"));
        assertTrue(errors.contains("ERROR boom") && errors.contains("IllegalStateException: bad"));
        assertFalse(console.toString().contains("s3cr3t-value"));
    }

    /** A condition of the machine, said in its own words (as a full disk under the database is). */
    private static final class Full extends RuntimeException implements Explained {
        private static final long serialVersionUID = 1L;

        Full() {
            super("the disk is full: free some space");
        }
    }

    @Test
    void anExplainedCause_isOneLineWithoutTrace_andTheSameLineWithinAMinuteIsNotRepeated()
            throws IOException {
        try (DaemonLog log = new DaemonLog(dir, 1 << 20, 3, new Redactor(List.of()),
                Clock.systemUTC(), new PrintStream(new ByteArrayOutputStream(), true))) {
            log.error("job 3: could not be recorded",
                    new IllegalStateException("wrapped", new Full()));
            log.error("job 3: could not be recorded", new Full());
            log.error("job 4: could not be recorded", new Full());
        }
        List<String> lines = Files.readAllLines(dir.resolve("error.log"));
        assertEquals(2, lines.size(), lines.toString());
        assertTrue(lines.get(0).endsWith("ERROR job 3: could not be recorded: the disk is full:"
                + " free some space"), lines.get(0));
        assertTrue(lines.get(1).contains("job 4"), lines.get(1));
    }

    @Test
    void logsRotateBySize_keepingABoundedNumberOfOldFiles() throws IOException {
        try (RotatingFile file = new RotatingFile(dir.resolve("download.log"), 10_000, 3)) {
            for (int i = 0; i < 1_000; i++) {
                file.append("line %04d %s".formatted(i, "x".repeat(80)));
            }
        }
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of("download.log", "download.log.1", "download.log.2",
                    "download.log.3"), files.map(p -> p.getFileName().toString()).sorted()
                            .toList());
        }
        assertTrue(Files.size(dir.resolve("download.log")) <= 10_000);
        assertTrue(Files.readString(dir.resolve("download.log")).contains("line 0999"),
                "newest lines in the live file");
    }
}
