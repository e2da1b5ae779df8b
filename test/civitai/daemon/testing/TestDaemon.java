package civitai.daemon.testing;

import civitai.daemon.Daemon;
import civitai.daemon.config.ConfigLoader;
import com.eclipsesource.json.Json;
import com.eclipsesource.json.JsonArray;
import com.eclipsesource.json.JsonObject;
import com.eclipsesource.json.JsonValue;
import com.eclipsesource.json.WriterConfig;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Map;

/**
 * A real daemon in this JVM on 127.0.0.1 with an ephemeral port and all its data in one folder:
 * config.json, manifest.json, completed.db, logs/, models/. Test defaults make retries fast.
 */
public final class TestDaemon implements AutoCloseable {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private final Path dir;
    private Daemon daemon;

    private TestDaemon(Path dir) {
        this.dir = dir;
    }

    /** Defaults for tests: fast retries and stall detection; override with {@code config}. */
    public static JsonObject testConfig(FakeCivitai civitai) {
        return new JsonObject()
                .add("active_port", 0)
                .add("bind_address", "127.0.0.1")
                .add("throttle", 0)
                .add("retries", 3)
                .add("retry_base_delay", 0.01)
                .add("retry_max_delay", 0.05)
                .add("stall_timeout", 2)
                .add("timeout", 120)
                .add("workers", 2)
                .add("download_dir", "models")
                .add("civitai_url", civitai.apiUrl().toString())
                .add("civitai_api_key", "test-api-key-0123456789");
    }

    /** Writes config.json (the given keys) and manifest.json into {@code dir} and starts. */
    public static TestDaemon start(Path dir, JsonObject config, JsonArray manifest) {
        try {
            Files.writeString(dir.resolve("config.json"),
                    config.toString(WriterConfig.PRETTY_PRINT));
            Files.writeString(dir.resolve("manifest.json"),
                    manifest.toString(WriterConfig.PRETTY_PRINT));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        TestDaemon d = new TestDaemon(dir);
        d.startAgain();
        return d;
    }

    /** Starts (again) on the files in the folder. */
    public TestDaemon startAgain() {
        try {
            var loaded = new ConfigLoader(Map.of()).load(dir.resolve("config.json"));
            PrintStream console = new PrintStream(Files.newOutputStream(dir.resolve("console.log"),
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND), true,
                    StandardCharsets.UTF_8);
            daemon = Daemon.start(loaded.config(), loaded.warnings(), console);
            return this;
        } catch (Exception e) {
            throw new AssertionError("daemon did not start: " + e, e);
        }
    }

    /** Stops the daemon as SIGTERM would, keeping every file. */
    public void stop() {
        if (daemon != null) {
            daemon.close();
            daemon = null;
        }
    }

    public Path dir() {
        return dir;
    }

    public Path models() {
        return dir.resolve("models");
    }

    public Db db() {
        return new Db(dir.resolve("completed.db"));
    }

    public int port() {
        return daemon.port();
    }

    public HttpResponse<String> get(String path) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port() + path))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Any request; {@code body} is sent as application/json when not null. */
    public HttpResponse<String> send(String method, String path, String body, String token) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port()
                + path)).timeout(Duration.ofSeconds(20))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        try {
            return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    public HttpResponse<String> post(String path, String body) {
        return send("POST", path, body, null);
    }

    /** Parses an answer's JSON body, failing with the body when it is not JSON. */
    public static JsonObject json(HttpResponse<String> response) {
        try {
            return Json.parse(response.body()).asObject();
        } catch (RuntimeException e) {
            throw new AssertionError("not a JSON object (" + response.statusCode() + "): "
                    + response.body(), e);
        }
    }

    public JsonObject getJson(String path) {
        return Json.parse(get(path).body()).asObject();
    }

    /** The job row for a filename (or URL when the entry had no filename). */
    public Map<String, Object> job(long id) {
        return db().one("SELECT * FROM jobs WHERE id = ?", id);
    }

    public String state(long id) {
        return (String) job(id).get("state");
    }

    /**
     * Waits until job {@code id} is in {@code state}; fails with the row when it is not in time.
     */
    public Map<String, Object> await(long id, String state) {
        return await(id, state, Poll.DEFAULT);
    }

    public Map<String, Object> await(long id, String state, Duration timeout) {
        Poll.until(timeout, () -> db()
                .count("SELECT count(*) FROM jobs WHERE id = ? AND state = ?", id, state) == 1,
                () -> "job " + id + " to be " + state + "; it is "
                + db().query("SELECT * FROM jobs WHERE id = ?", id)
                        + "\nattempts: " + db().query("SELECT * FROM attempts WHERE job_id = ?",
                                id));
        return job(id);
    }

    /** Asks for an update check (POST /api/updates/check) and waits until it has run. */
    public void checkUpdates() {
        String before = getJson("/api/updates").toString();
        var r = post("/api/updates/check", null);
        if (r.statusCode() != 202) {
            throw new AssertionError("the update check was not started: " + r.statusCode() + " "
                    + r.body());
        }
        Poll.until(() -> {
            JsonObject u = getJson("/api/updates");
            return !u.getBoolean("running", true) && !u.get("last_run").isNull()
                    && !u.toString().equals(before);
        }, () -> "the check to finish");
    }

    /** manifest.json as it is on disk now. */
    public JsonArray manifestOnDisk() {
        try {
            return Json.parse(Files.readString(dir.resolve("manifest.json"))).asArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The id of the one job whose filename or URL is this. */
    public long idOf(String filenameOrUrl) {
        Poll.until(() -> db().count("SELECT count(*) FROM jobs WHERE filename = ? OR url = ?",
                filenameOrUrl, filenameOrUrl) == 1, () -> "a job for " + filenameOrUrl);
        return ((Number) db().one("SELECT id FROM jobs WHERE filename = ? OR url = ?",
                filenameOrUrl, filenameOrUrl).get("id")).longValue();
    }

    public String log(String name) {
        try {
            return Files.readString(dir.resolve("logs").resolve(name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A manifest entry. */
    public static JsonObject entry(String modelType, String filename, URI url, String sha256) {
        JsonObject e = new JsonObject().add("model_type", modelType).add("url", url.toString());
        if (filename != null) {
            e.add("filename", filename);
        }
        if (sha256 != null) {
            e.add("sha256", sha256);
        }
        return e;
    }

    public static JsonArray manifest(JsonValue... entries) {
        JsonArray a = new JsonArray();
        for (JsonValue e : entries) {
            a.add(e);
        }
        return a;
    }

    @Override
    public void close() {
        stop();
    }
}
