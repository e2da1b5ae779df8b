package civitai.daemon.download;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import civitai.daemon.download.fetch.ContentDisposition;
import civitai.daemon.download.fetch.ContentRange;
import civitai.daemon.download.fetch.SignedUrl;
import civitai.daemon.download.retry.RetryPolicy;
import civitai.daemon.download.rules.ExpectedSize;
import civitai.daemon.target.SafeName;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The pure parts of the engine, as tables. */
class ParsingTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', nullValues = "NONE", value = {
        "attachment; filename=\"model.safetensors\"                         | model.safetensors",
        "attachment; filename=model.safetensors                              | model.safetensors",
        "attachment; filename*=UTF-8''%E2%82%AC%20rates.safetensors          | € rates.safetensors",
        "attachment; filename=\"a.bin\"; filename*=utf-8''b%2Bc.bin           | b+c.bin",
        "attachment; filename=\"quo\\\"te.bin\"                               | quo\"te.bin",
        "attachment; filename=\"Ã\u009cber.safetensors\"                     | Über.safetensors",
        "inline                                                              | NONE",
    })
    void contentDisposition(String header, String expected) {
        assertEquals(Optional.ofNullable(expected), ContentDisposition.filename(header));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', nullValues = "NONE", value = {
        "../../evil.sh        | evil.sh",
        "C:\\models\\x.ckpt   | x.ckpt",
        "bad:name?.bin        | bad_name_.bin",
        "ok.safetensors       | ok.safetensors",
        "..                   | NONE",
        "x.part               | NONE",
    })
    void sanitisingServerNames(String offered, String expected) {
        assertEquals(Optional.ofNullable(expected), SafeName.sanitise(offered));
    }

    @Test
    void retryAfter_secondsOrHttpDate() {
        Clock clock = Clock.fixed(Instant.parse("2026-11-22T10:00:00Z"), ZoneOffset.UTC);
        RetryPolicy p = new RetryPolicy(3, Duration.ofSeconds(1), Duration.ofSeconds(60),
                new Random(1), clock);
        assertEquals(Optional.of(Duration.ofSeconds(7)), p.parseRetryAfter("7"));
        assertEquals(Optional.of(Duration.ofSeconds(90)),
                p.parseRetryAfter("Sun, 22 Nov 2026 10:01:30 GMT"));
        assertEquals(Optional.of(Duration.ZERO),
                p.parseRetryAfter("Sun, 22 Nov 2026 09:00:00 GMT"));
        assertEquals(Optional.empty(), p.parseRetryAfter("soon"));
    }

    @Test
    void backoff_growsExponentiallyWithJitter_andIsCapped() {
        RetryPolicy p = new RetryPolicy(10, Duration.ofSeconds(1), Duration.ofSeconds(20),
                new Random(2), Clock.systemUTC());
        for (int attempt = 1; attempt <= 8; attempt++) {
            long full = Math.min(20_000, 1000L << (attempt - 1));
            long ms = p.backoff(attempt).toMillis();
            assertTrue(ms >= full / 2 && ms <= full,
                    "attempt " + attempt + ": " + ms + " ms of " + full);
        }
        assertTrue(p.mayRetry(10));
        assertFalse(p.mayRetry(11));
    }

    @Test
    void signedUrlExpiry_fromAmzParameters() {
        SignedUrl url = SignedUrl.of(URI.create(
                "https://r2.example/f?X-Amz-Date=20261122T100000Z&X-Amz-Expires=3600"));
        assertEquals(Instant.parse("2026-11-22T11:00:00Z"), url.expiresAt());
        assertTrue(url.usableAt(Instant.parse("2026-11-22T10:59:00Z")));
        assertFalse(url.usableAt(Instant.parse("2026-11-22T10:59:45Z")), "30 s safety margin");
        assertNull(SignedUrl.of(URI.create("https://b2.example/f")).expiresAt());
        assertEquals(Instant.ofEpochSecond(1_800_000_000),
                SignedUrl.of(URI.create("https://cdn.example/f?Expires=1800000000")).expiresAt());
    }

    @Test
    void contentRange() {
        assertEquals(new ContentRange(100, 999, 1000L), ContentRange.parse("bytes 100-999/1000"));
        assertEquals(new ContentRange(100, 999, null), ContentRange.parse("bytes 100-999/*"));
        assertEquals(new ContentRange(-1, -1, 1000L), ContentRange.parse("bytes */1000"));
        assertNull(ContentRange.parse("items 1-2/3"));
        assertNull(ContentRange.parse("bytes 0-99999999999999999999/1"),
                "a number beyond a long is no range");
    }

    @Test
    void sizeTolerance_allowsCivitaiRounding() {
        assertFalse(new ExpectedSize(Math.round(18829.1484375 * 1024), false).rulesOut(19_281_048));
        assertTrue(new ExpectedSize(19_281_048, false).rulesOut(300_000));
    }

    @Test
    void anExactSize_allowsNoByteMoreOrLess() {
        assertFalse(new ExpectedSize(19_281_048, true).rulesOut(19_281_048));
        assertTrue(new ExpectedSize(19_281_048, true).rulesOut(19_281_049));
        assertTrue(new ExpectedSize(19_281_048, true).rulesOut(19_281_047));
    }
}
