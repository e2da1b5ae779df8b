package civitai.daemon.civitai;

import civitai.daemon.log.DaemonLog;
import com.eclipsesource.json.Json;
import com.eclipsesource.json.JsonObject;
import com.eclipsesource.json.JsonValue;
import com.eclipsesource.json.ParseException;
import com.eclipsesource.json.WriterConfig;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Files beside a model downloaded from a Civitai reference, written once it is verified:
 * {@code <stem>.civitai.json} (the version's metadata as Civitai returned it) and
 * {@code <stem>.preview.<ext>} (the version's first image that is not NSFW, or simply the first
 * with {@code allow_nsfw_previews}). Written on their own thread; a failure is logged, never
 * fatal. Thread-safe.
 */
public final class Sidecars implements AutoCloseable {
    private static final Duration STOP_GRACE = Duration.ofSeconds(5);
    /** Each write runs on its own virtual thread; tracked so a stop waits for them. */
    private final ExecutorService writers =
            Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("sidecars").factory());
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final int MAX_PREVIEW = 16 << 20;

    private final CivitaiClient client;
    private final HttpClient http;
    private final boolean previews;
    private final boolean allowNsfw;
    private final String userAgent;
    private final DaemonLog log;

    public Sidecars(CivitaiClient client, HttpClient http, boolean previews, boolean allowNsfw,
            String userAgent, DaemonLog log) {
        this.client = client;
        this.http = http;
        this.previews = previews;
        this.allowNsfw = allowNsfw;
        this.userAgent = userAgent;
        this.log = log;
    }

    /** Writes the sidecars of {@code model} in the background when its entry names a version. */
    public void afterDownload(Path model, String entryJson) {
        schedule(model, entryJson, false);
    }

    /**
     * The sidecars of a file already on disk that Civitai identified by its hash; a sidecar or
     * preview already beside it (another tool's, or the user's) is left as it is.
     */
    public void afterIdentified(Path model, String entryJson) {
        schedule(model, entryJson, true);
    }

    private void schedule(Path model, String entryJson, boolean keepExisting) {
        Long versionId = versionId(entryJson);
        if (versionId == null) {
            return;
        }
        try {
            writers.execute(() -> writeFor(model, versionId, keepExisting));
        } catch (RejectedExecutionException e) {
            // stopping: the next download (or scan) of this file writes them
        }
    }

    private void writeFor(Path model, long versionId, boolean keepExisting) {
        try {
            String stem = stem(model.getFileName().toString());
            if (keepExisting && Files.exists(model.resolveSibling(stem + ".civitai.json"))) {
                // asked before the version is fetched: nothing to write, nothing to ask Civitai
                return;
            }
            write(model, client.version(versionId), keepExisting);
        } catch (CivitaiException | IOException e) {
            log.warn("sidecars for " + model + " not written: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            log.error("sidecars for " + model + " failed", e);
        }
    }

    void write(Path model, JsonObject version) throws IOException, InterruptedException {
        write(model, version, false);
    }

    /** @param keepExisting whether a preview already beside the model (any extension) is kept */
    private void write(Path model, JsonObject version, boolean keepExisting)
            throws IOException, InterruptedException {
        String stem = stem(model.getFileName().toString());
        replace(model.resolveSibling(stem + ".civitai.json"),
                (version.toString(WriterConfig.PRETTY_PRINT) + "\n")
                        .getBytes(StandardCharsets.UTF_8));
        if (!previews || (keepExisting && hasPreview(model, stem))) {
            return;
        }
        JsonObject image = preview(version);
        if (image == null) {
            return;
        }
        URI uri = URI.create(image.getString("url", ""));
        HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(uri).timeout(TIMEOUT)
                .header("User-Agent", userAgent).build(), HttpResponse.BodyHandlers.ofByteArray());
        String type = r.headers().firstValue("Content-Type").orElse("");
        if (r.statusCode() != 200 || !type.startsWith("image/") || r.body().length > MAX_PREVIEW) {
            throw new IOException("preview " + uri.getHost() + " answered " + r.statusCode() + " "
                    + type);
        }
        replace(model.resolveSibling(stem + ".preview." + extension(uri, type)), r.body());
    }

    /** A {@code <stem>.preview.*} beside the model, as this daemon, A1111 and ComfyUI name them. */
    private static boolean hasPreview(Path model, String stem) throws IOException {
        try (var files = Files.list(model.getParent())) {
            return files.anyMatch(f -> f.getFileName().toString().startsWith(stem + ".preview."));
        }
    }

    /** The first image that is not NSFW (nsfwLevel 1 is PG), or the first at all when allowed. */
    private JsonObject preview(JsonObject version) {
        JsonValue images = version.get("images");
        if (images == null || !images.isArray()) {
            return null;
        }
        for (JsonValue v : images.asArray()) {
            JsonObject image = v.asObject();
            boolean video = "video".equals(image.getString("type", "image"));
            boolean safe = image.getInt("nsfwLevel", 1) <= 1 && !image.getBoolean("nsfw", false);
            if (!video && (safe || allowNsfw) && image.getString("url", null) != null) {
                return image;
            }
        }
        return null;
    }

    private static void replace(Path target, byte[] bytes) throws IOException {
        Path temp = Files.createTempFile(target.getParent(), "." + target.getFileName(), ".tmp");
        try {
            Files.write(temp, bytes);
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE,
                    StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    private static String extension(URI uri, String contentType) {
        String path = uri.getPath() == null ? "" : uri.getPath().toLowerCase(Locale.ROOT);
        for (String ext : new String[] {"jpeg", "jpg", "png", "webp", "gif"}) {
            if (path.endsWith("." + ext)) {
                return ext;
            }
        }
        String sub = contentType.substring(contentType.indexOf('/') + 1).split(";")[0].strip();
        return sub.matches("[a-z0-9]{1,8}") ? sub : "img";
    }

    private static String stem(String filename) {
        int dot = filename.lastIndexOf('.');
        return dot > 0 ? filename.substring(0, dot) : filename;
    }

    private static Long versionId(String entryJson) {
        try {
            JsonValue v = Json.parse(entryJson).asObject().get("versionId");
            return v != null && v.isNumber() ? v.asLong() : null;
        } catch (ParseException | UnsupportedOperationException | NumberFormatException e) {
            return null;
        }
    }

    /** Lets writes in progress finish (a few seconds at most), then interrupts what is left. */
    @Override
    public void close() {
        writers.shutdown();
        try {
            if (!writers.awaitTermination(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
                writers.shutdownNow();
            }
        } catch (InterruptedException e) {
            writers.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
