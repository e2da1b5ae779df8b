package civitai.daemon.testing;

import com.eclipsesource.json.Json;
import com.eclipsesource.json.JsonArray;
import com.eclipsesource.json.JsonObject;
import com.eclipsesource.json.JsonValue;
import com.eclipsesource.json.ParseException;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;

/**
 * Civitai on 127.0.0.1, built from the real answers in the fixtures: {@code /api/v1/models/{id}}
 * and {@code /api/v1/model-versions/{id}} serve the fixture bodies (download URLs pointed here),
 * and {@code /api/download/models/{versionId}} answers 307 with a short-lived signed URL on the
 * {@link FakeStorage} host, or a queued failure taken from Civitai's real error answers.
 * Each version's file gets deterministic bytes of its fixture size; its SHA-256 is theirs.
 */
public final class FakeCivitai implements AutoCloseable {
    public static final String FIXTURE_401 = "error_download_401_unauthorized_QUOTED.json";
    private static final List<String> MODEL_FIXTURES =
            List.of("model_lora_11821_two_versions_2025.json", "model_lora_1231067_flux_2025.json");
    private static final List<String> VERSION_FIXTURES =
            List.of("model_version_1387174_lora_flux_2025.json",
            "wiki2023_model_version_1318_checkpoint.json");

    /**
     * A file of a version, as the fixtures describe it; its bytes are made on first use. Answers
     * carry those bytes' SHA-256 in place of the fixture's (for files small enough to make).
     */
    public record VersionFile(long versionId, long fileId, String name, int size,
            String fixtureSha256) {}

    /** Files up to this size get made-up bytes whose hash replaces the fixture's in answers. */
    static final int MADE_UP_LIMIT = 32 << 20;

    /** One request as Civitai saw it. */
    public record Request(String path, String query, Map<String, List<String>> headers,
            long nanos) {
        public String header(String key) {
            List<String> v = headers.get(key);
            return v == null ? null : v.get(0);
        }
    }

    private final HttpServer server;
    private final FakeStorage storage;
    private final Map<Long, VersionFile> files = new ConcurrentHashMap<>();
    private final Map<Long, byte[]> contents = new ConcurrentHashMap<>();
    private final Map<String, String> bodies = new ConcurrentHashMap<>();
    private final Map<Long, Queue<Fault.Status>> downloadFaults = new ConcurrentHashMap<>();
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final Map<String, Queue<Fault.Status>> apiFaults = new ConcurrentHashMap<>();
    private volatile long signedUrlSeconds = 3600;

    public FakeCivitai(FakeStorage storage) throws IOException {
        this.storage = storage;
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        server.createContext("/", this::handle);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.start();
        MODEL_FIXTURES.forEach(this::loadModel);
        VERSION_FIXTURES.forEach(this::loadVersion);
    }

    public URI base() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** The {@code civitai_url} for a daemon talking to this fake. */
    public URI apiUrl() {
        return base().resolve("/api/v1");
    }

    /** Civitai's download URL of a version's file, with {@code ?fileId=}. */
    public URI downloadUrl(long versionId) {
        VersionFile f = file(versionId);
        return base().resolve("/api/download/models/" + versionId + "?fileId=" + f.fileId());
    }

    public VersionFile file(long versionId) {
        VersionFile f = files.get(versionId);
        if (f == null) {
            throw new IllegalArgumentException("no version " + versionId + " in the fixtures");
        }
        return f;
    }

    /** Adds a version that is not in the fixtures, with these bytes. */
    public VersionFile addVersion(long versionId, String name, byte[] content) {
        VersionFile f = new VersionFile(versionId, versionId * 10, name, content.length, null);
        files.put(versionId, f);
        contents.put(versionId, content.clone());
        storage.put(objectName(f), content, "attachment; filename=\"" + name + "\"");
        return f;
    }

    /** The bytes this fake serves for a version's file (made and stored on first use). */
    public byte[] content(long versionId) {
        VersionFile f = file(versionId);
        return contents.computeIfAbsent(versionId, id -> {
            byte[] bytes = Bytes.random(f.size(), id);
            storage.put(objectName(f), bytes, "attachment; filename=\"" + f.name() + "\"");
            return bytes;
        });
    }

    public String sha256(long versionId) {
        return Bytes.sha256(content(versionId));
    }

    /** Queues failures for the next download requests of a version. */
    public void failDownload(long versionId, Fault.Status... next) {
        downloadFaults.computeIfAbsent(versionId, k -> new ConcurrentLinkedQueue<>())
                .addAll(List.of(next));
    }

    /** Replaces the body served at an API path (e.g. {@code /api/v1/models/11821}). */
    public void body(String path, String json) {
        bodies.put(path, json);
    }

    public String body(String path) {
        return bodies.get(path);
    }

    /** Queues answers for the next requests of an API path, one each. */
    public void failApi(String path, Fault.Status... next) {
        apiFaults.computeIfAbsent(path, k -> new ConcurrentLinkedQueue<>()).addAll(List.of(next));
    }

    /**
     * The bytes served for an image path: a real JPEG (so a browser can show it, as the GUI tests
     * do) whose colours and comment come from the path, so each image differs.
     */
    public static byte[] image(String path) {
        return IMAGES.computeIfAbsent(path, FakeCivitai::drawImage).clone();
    }

    private static final Map<String, byte[]> IMAGES = new ConcurrentHashMap<>();

    private static byte[] drawImage(String path) {
        var image = new BufferedImage(240, 180, BufferedImage.TYPE_INT_RGB);
        int hue = Math.floorMod(path.hashCode(), 360);
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                float h = ((hue + x / 4f + y / 3f) % 360) / 360f;
                image.setRGB(x, y, Color.HSBtoRGB(h, 0.55f, 0.55f + 0.4f * y / image.getHeight()));
            }
        }
        var out = new ByteArrayOutputStream();
        try {
            ImageIO.write(image, "jpeg", out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        byte[] jpeg = out.toByteArray();
        byte[] comment = path.getBytes(StandardCharsets.UTF_8);
        int length = comment.length + 2;
        var withComment = new ByteArrayOutputStream();
        withComment.write(jpeg, 0, 2);  // SOI, then a COM segment naming the path
        withComment.write(new byte[] {(byte) 0xFF, (byte) 0xFE, (byte) (length >> 8),
                (byte) length}, 0, 4);
        withComment.write(comment, 0, comment.length);
        withComment.write(jpeg, 2, jpeg.length - 2);
        return withComment.toByteArray();
    }

    /** How long signed URLs stay valid. */
    public void signedUrlSeconds(long seconds) {
        signedUrlSeconds = seconds;
    }

    /** The storage object a version's file lives in. */
    public String objectName(VersionFile f) {
        return f.versionId() + "-" + f.fileId() + "/" + f.name();
    }

    public List<Request> requests() {
        return List.copyOf(requests);
    }

    public long downloadHits(long versionId) {
        return requests.stream().filter(r -> r.path().equals("/api/download/models/" + versionId))
                .count();
    }

    private void loadModel(String fixture) {
        JsonObject model = Json.parse(Fixtures.read(fixture)).asObject();
        bodies.put("/api/v1/models/" + model.getLong("id", 0), Fixtures.read(fixture));
        for (JsonValue v : model.get("modelVersions").asArray()) {
            registerFiles(v.asObject());
        }
    }

    private void loadVersion(String fixture) {
        JsonObject version = Json.parse(Fixtures.read(fixture)).asObject();
        bodies.put("/api/v1/model-versions/" + version.getLong("id", 0), Fixtures.read(fixture));
        registerFiles(version);
    }

    private void registerFiles(JsonObject version) {
        long versionId = version.getLong("id", 0);
        JsonValue list = version.get("files");
        if (list == null || files.containsKey(versionId)) {
            return;
        }
        for (JsonValue item : list.asArray()) {
            JsonObject file = item.asObject();
            boolean primary = file.getBoolean("primary", false);
            if (primary || list.asArray().size() == 1) {
                long size = Math.round(file.getDouble("sizeKB", 1) * 1024);
                JsonValue hashes = file.get("hashes");
                files.put(versionId, new VersionFile(versionId, file.getLong("id", 0),
                        file.getString("name", "model"),
                        (int) Math.min(size, Integer.MAX_VALUE - 8),
                        hashes == null ? null : hashes.asObject().getString("SHA256", null)));
            }
        }
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
            ex.getRequestHeaders().forEach((k, v) -> headers.put(k, List.copyOf(v)));
            String path = ex.getRequestURI().getPath();
            requests.add(new Request(path, ex.getRequestURI().getRawQuery(), headers,
                    System.nanoTime()));
            if (path.startsWith("/images/")) {
                byte[] image = image(path);
                ex.getResponseHeaders().set("Content-Type", "image/jpeg");
                ex.sendResponseHeaders(200, image.length);
                ex.getResponseBody().write(image);
            } else if (path.startsWith("/api/download/models/")) {
                download(ex, Long.parseLong(path.substring("/api/download/models/".length())));
            } else if (apiFaults.containsKey(path) && !apiFaults.get(path).isEmpty()) {
                Fault.Status fault = apiFaults.get(path).poll();
                fault.headers().forEach(ex.getResponseHeaders()::set);
                send(ex, fault.status(), fault.contentType(), fault.body());
            } else if (path.equals("/api/v1/model-versions/by-hash")
                    && ex.getRequestMethod().equals("POST")) {
                bulkByHash(ex);
            } else if (path.startsWith("/api/v1/model-versions/by-hash/")) {
                String hash = path.substring(path.lastIndexOf('/') + 1);
                String body = files.values().stream()
                        .filter(f -> f.size() <= MADE_UP_LIMIT
                                && matches(sha256(f.versionId()), hash))
                        .map(f -> bodies.get("/api/v1/model-versions/" + f.versionId()))
                        .filter(b -> b != null).findFirst().orElse(null);
                send(ex, body == null ? 404 : 200, "application/json; charset=utf-8",
                        body == null ? "{\"error\":\"Model not found\"}" : served(body));
            } else if (path.equals("/api/v1/models") && ex.getRequestURI().getRawQuery() != null
                    && ex.getRequestURI().getRawQuery().contains("ids=")) {
                send(ex, 200, "application/json; charset=utf-8",
                        served(modelsList(ex.getRequestURI().getRawQuery())));
            } else if (bodies.containsKey(path)) {
                send(ex, 200, "application/json; charset=utf-8", served(bodies.get(path)));
            } else {
                send(ex, 404, "application/json; charset=utf-8", "{\"error\":\"Model not found\"}");
            }
        }
    }

    /** The number of hashes in each bulk by-hash request, in order, refused ones included. */
    public List<Integer> byHashBatches() {
        return List.copyOf(byHashBatches);
    }

    private final List<Integer> byHashBatches = new CopyOnWriteArrayList<>();
    private volatile CountDownLatch byHashHold;
    private final CountDownLatch byHashHeld = new CountDownLatch(1);

    /** Bulk by-hash requests wait for {@code release} before they are answered. */
    public void holdByHash(CountDownLatch release) {
        byHashHold = release;
    }

    /** Waits until a bulk by-hash request is being held. */
    public void awaitByHashHeld() throws InterruptedException {
        if (!byHashHeld.await(30, TimeUnit.SECONDS)) {
            throw new AssertionError("no bulk by-hash request came");
        }
    }

    /**
     * {@code POST /model-versions/by-hash} as Civitai's handler does it (API-NOTES.md): a JSON
     * array of at most 100 SHA-256 (64 hex, any case), else 400; the answer is an array of the
     * version objects whose files have one of them, unmatched hashes simply absent.
     */
    private void bulkByHash(HttpExchange ex) throws IOException {
        String text = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        CountDownLatch hold = byHashHold;
        if (hold != null) {
            byHashHeld.countDown();
            try {
                hold.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        String type = ex.getRequestHeaders().getFirst("Content-Type");
        JsonValue body;
        try {
            body = type != null && type.startsWith("application/json") ? Json.parse(text) : null;
        } catch (ParseException e) {
            body = null;
        }
        byHashBatches.add(body != null && body.isArray() ? body.asArray().size() : -1);
        if (body == null || !body.isArray() || body.asArray().size() > 100
                || !body.asArray().values().stream()
                        .allMatch(v -> v.isString() && v.asString().length() == 64)) {
            send(ex, 400, "application/json; charset=utf-8", "{\"error\":\"Request must include an"
                    + " array of SHA256 Hashes. Too many hashes\"}");
            return;
        }
        Set<String> wanted = new HashSet<>();
        body.asArray().forEach(v -> wanted.add(v.asString().toLowerCase(Locale.ROOT)));
        JsonArray out = new JsonArray();
        for (VersionFile f : files.values()) {
            String version = bodies.get("/api/v1/model-versions/" + f.versionId());
            if (version != null && f.size() <= MADE_UP_LIMIT
                    && wanted.contains(sha256(f.versionId()))) {
                out.add(Json.parse(served(version)));
            }
        }
        send(ex, 200, "application/json; charset=utf-8", out.toString());
    }

    /** {@code /models?ids=...}: the list shape of models_list_page_ids11821_2025.json. */
    private String modelsList(String query) {
        JsonArray items = new JsonArray();
        String ids = query.replaceAll(".*ids=([0-9,%C]+).*", "$1").replace("%2C", ",");
        for (String id : ids.split(",")) {
            String body = bodies.get("/api/v1/models/" + id);
            if (body != null) {
                items.add(Json.parse(body));
            }
        }
        return new JsonObject().add("items", items)
                .add("metadata", new JsonObject().add("currentPage", 1).add("pageSize", 100))
                .toString();
    }

    /** by-hash matches any hash type (API-NOTES.md); here SHA-256 and AutoV2, its first 10 hex. */
    private static boolean matches(String sha256, String hash) {
        return sha256.equalsIgnoreCase(hash)
                || (hash.length() == 10 && sha256.regionMatches(true, 0, hash, 0, 10));
    }

    /**
     * A fixture body as this fake serves it: download URLs point here, small files' hashes are
     * ours.
     */
    private String served(String body) {
        String out = body.replace("https://civitai.com/api/download", base() + "/api/download")
                .replace("https://image.civitai.com/", base() + "/images/");
        for (VersionFile f : files.values()) {
            if (f.fixtureSha256() != null && f.size() <= MADE_UP_LIMIT
                    && out.contains(f.fixtureSha256())) {
                String served = sha256(f.versionId()).toUpperCase();
                // the full hash first, then its AutoV2
                out = out.replace(f.fixtureSha256(), served)
                        .replace("\"" + f.fixtureSha256().substring(0, 10) + "\"",
                                "\"" + served.substring(0, 10) + "\"");
            }
        }
        return out;
    }

    private void download(HttpExchange ex, long versionId) throws IOException {
        Queue<Fault.Status> faults = downloadFaults.get(versionId);
        Fault.Status fault = faults == null ? null : faults.poll();
        if (fault != null) {
            fault.headers().forEach(ex.getResponseHeaders()::set);
            send(ex, fault.status(), fault.contentType(), fault.body());
            return;
        }
        VersionFile f = files.get(versionId);
        if (f == null) {
            send(ex, 404, "application/json", "{\"error\":\"File not found\"}");
            return;
        }
        content(versionId);
        URI signed = storage.signedUrl(objectName(f), Instant.now(), signedUrlSeconds);
        ex.getResponseHeaders().set("Location", signed.toString());
        ex.sendResponseHeaders(307, -1);
    }

    private static void send(HttpExchange ex, int status, String type, String body)
            throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", type);
        ex.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        ex.getResponseBody().write(bytes);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
