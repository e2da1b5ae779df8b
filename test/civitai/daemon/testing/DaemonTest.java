package civitai.daemon.testing;

import com.eclipsesource.json.Json;
import com.eclipsesource.json.JsonArray;
import com.eclipsesource.json.JsonObject;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * Base of the integration tests: a fake storage host, a fake Civitai, and a real daemon started
 * by {@link #start} with its data in a temp folder; all stopped after each test.
 */
public abstract class DaemonTest {
    @TempDir protected Path dir;
    protected FakeStorage storage;
    protected FakeCivitai civitai;
    protected TestDaemon daemon;

    @BeforeEach
    void startServers() throws IOException {
        storage = new FakeStorage();
        civitai = new FakeCivitai(storage);
    }

    @AfterEach
    void stopAll() {
        if (daemon != null) {
            daemon.close();
        }
        civitai.close();
        storage.close();
    }

    /** The test defaults with these keys changed. */
    protected JsonObject config(Object... keysAndValues) {
        JsonObject c = TestDaemon.testConfig(civitai);
        for (int i = 0; i < keysAndValues.length; i += 2) {
            String key = (String) keysAndValues[i];
            Object v = keysAndValues[i + 1];
            switch (v) {
                case Integer n -> c.set(key, n);
                case Long n -> c.set(key, n);
                case Double d -> c.set(key, d);
                case Boolean b -> c.set(key, b);
                case null -> c.set(key, Json.NULL);
                default -> c.set(key, v.toString());
            }
        }
        return c;
    }

    protected TestDaemon start(JsonObject config, JsonArray manifest) {
        daemon = TestDaemon.start(dir, config, manifest);
        return daemon;
    }

    protected TestDaemon start(JsonArray manifest) {
        return start(config(), manifest);
    }

    protected long attempts(long id) {
        return ((Number) daemon.job(id).get("attempts")).longValue();
    }

    protected List<Map<String, Object>> attemptRows(long id) {
        return daemon.db().query("SELECT * FROM attempts WHERE job_id = ? ORDER BY number", id);
    }

    /** Milliseconds between the end of attempt {@code n} and the start of attempt {@code n + 1}. */
    protected long gapMillis(long id, int n) {
        List<Map<String, Object>> rows = attemptRows(id);
        Instant ended = Instant.parse((String) rows.get(n - 1).get("ended_at"));
        Instant next = Instant.parse((String) rows.get(n).get("started_at"));
        return Duration.between(ended, next).toMillis();
    }
}
