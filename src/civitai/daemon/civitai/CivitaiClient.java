package civitai.daemon.civitai;

import civitai.daemon.download.fetch.RateGate;
import civitai.daemon.download.fetch.RetryAfter;
import com.eclipsesource.json.Json;
import com.eclipsesource.json.JsonArray;
import com.eclipsesource.json.JsonObject;
import com.eclipsesource.json.JsonValue;
import com.eclipsesource.json.ParseException;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * Civitai's REST API v1 for metadata: {@code /models/{id}}, {@code /model-versions/{id}} and
 * {@code /model-versions/by-hash} (one hash, or up to 100 in one POST). The
 * API key goes as a Bearer token (this client only talks to {@code civitai_url}). Every call has a
 * timeout; 5xx answers are retried with backoff; a 429 closes Civitai's {@link RateGate} (downloads
 * from Civitai wait too) until its Retry-After has passed. Background work waits the gate out;
 * the {@link #interactive()} view, for requests a person is waiting on, fails at once with the
 * time the gate reopens instead. Thread-safe.
 */
public final class CivitaiClient {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final int TRIES = 3;
    private static final Duration DEFAULT_PAUSE = Duration.ofSeconds(60);

    private final HttpClient http;
    private final URI base;
    private final String apiKey;
    private final String userAgent;
    private final Duration backoff;
    private final RateGate gate;
    private final boolean interactive;

    public CivitaiClient(HttpClient http, URI base, String apiKey, String userAgent,
            Duration backoff, RateGate gate) {
        this(http, base, apiKey, userAgent, backoff, gate, false);
    }

    private CivitaiClient(HttpClient http, URI base, String apiKey, String userAgent,
            Duration backoff, RateGate gate, boolean interactive) {
        this.interactive = interactive;
        this.gate = gate;
        this.http = http;
        this.base = base;
        this.apiKey = apiKey;
        this.userAgent = userAgent;
        this.backoff = backoff;
    }

    /** The same client for calls a person waits on: a closed gate or a 429 fails at once. */
    public CivitaiClient interactive() {
        return new CivitaiClient(http, base, apiKey, userAgent, backoff, gate, true);
    }

    public JsonObject model(long id) throws CivitaiException, InterruptedException {
        return get("/models/" + id, "model " + id);
    }

    /**
     * Up to 100 models in one call ({@code /models?ids=...&nsfw=true}; without nsfw=true only PG
     * models come back). Models missing from the answer are simply not in the map.
     */
    public Map<Long, JsonObject> models(List<Long> ids)
            throws CivitaiException, InterruptedException {
        if (ids.size() > 100) {
            throw new IllegalArgumentException("at most 100 ids per call, not " + ids.size());
        }
        String list = ids.stream().map(String::valueOf).collect(Collectors.joining(","));
        JsonObject page = get("/models?ids=" + list + "&nsfw=true&limit=100", "models " + list);
        Map<Long, JsonObject> out = new LinkedHashMap<>();
        JsonValue items = page.get("items");
        if (items != null && items.isArray()) {
            for (JsonValue item : items.asArray()) {
                if (item.isObject()) {
                    out.put(item.asObject().getLong("id", 0), item.asObject());
                }
            }
        }
        return out;
    }

    /** The version a file with this hash (SHA256, AutoV2, BLAKE3, ...) belongs to. */
    public JsonObject versionByHash(String hash) throws CivitaiException, InterruptedException {
        if (!hash.matches("[0-9A-Fa-f]{8,64}")) {
            throw new IllegalArgumentException("not a hash: " + hash);
        }
        return get("/model-versions/by-hash/" + hash, "the file with hash " + hash);
    }

    public JsonObject version(long id) throws CivitaiException, InterruptedException {
        return get("/model-versions/" + id, "model version " + id);
    }

    /** Most hashes one {@link #versionsByHash} call takes; Civitai answers 400 to more. */
    public static final int MAX_HASHES = 100;

    /**
     * The versions of files with these SHA-256 hashes, in one call ({@code POST
     * /model-versions/by-hash} with a JSON array of up to {@link #MAX_HASHES}): each answer is a
     * version object like {@code /model-versions/by-hash/{hash}}'s, keyed here by every SHA-256
     * of its files (upper-case as Civitai writes them). Hashes Civitai does not know are absent.
     */
    public List<JsonObject> versionsByHash(List<String> sha256s)
            throws CivitaiException, InterruptedException {
        if (sha256s.size() > MAX_HASHES) {
            throw new IllegalArgumentException("at most " + MAX_HASHES + " hashes per call, not "
                    + sha256s.size());
        }
        JsonArray body = new JsonArray();
        for (String sha : sha256s) {
            if (!sha.matches("[0-9A-Fa-f]{64}")) {
                throw new IllegalArgumentException("not a SHA-256: " + sha);
            }
            body.add(sha);
        }
        String what = sha256s.size() + " file hash(es)";
        String answer = fetch(() -> request("/model-versions/by-hash")
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build(), what);
        List<JsonObject> versions = new ArrayList<>();
        try {
            JsonValue v = Json.parse(answer);
            if (v.isArray()) {
                v.asArray().forEach(item -> {
                    if (item.isObject()) {
                        versions.add(item.asObject());
                    }
                });
                return versions;
            }
        } catch (ParseException e) {
            // reported below
        }
        throw new CivitaiException(502,
                "Civitai's answer for " + what + " is not the JSON array expected");
    }

    private JsonObject get(String path, String what) throws CivitaiException, InterruptedException {
        return object(fetch(() -> request(path).GET().build(), what), what);
    }

    /** The body of a 200 answer; the gate, 429s and retries of 5xx are handled here. */
    private String fetch(Supplier<HttpRequest> request, String what)
            throws CivitaiException, InterruptedException {
        CivitaiException last = null;
        for (int attempt = 1; attempt <= TRIES; attempt++) {
            if (interactive) {
                failIfClosed();  // a person is told when to come back; never waits here
            } else {
                gate.await();
            }
            HttpResponse<String> r;
            try {
                r = http.send(request.get(), HttpResponse.BodyHandlers.ofString());
            } catch (IOException e) {
                last = new CivitaiException(0,
                        "Civitai did not answer for " + what + ": " + e.getMessage());
                Thread.sleep(backoff.multipliedBy(attempt).toMillis());
                continue;
            }
            int status = r.statusCode();
            if (status == 200) {
                return r.body();
            }
            if (status == 404) {
                throw new CivitaiException(404,
                        what + " not found on Civitai (" + error(r.body()) + ")");
            }
            if (status == 429) {
                gate.close(RetryAfter.of(429, r.headers()).orElse(null), DEFAULT_PAUSE);
                last = new CivitaiException(429, "Civitai is rate limiting (429)",
                        Duration.ofSeconds(Math.max(1, gate.closedFor().toSeconds())));
                continue;  // an interactive call fails at the top of the loop
            }
            last = new CivitaiException(status, "Civitai answered " + status + " for " + what + " ("
                    + error(r.body()) + ")");
            if (status < 500) {
                throw last;
            }
            Thread.sleep(backoff.multipliedBy(attempt).toMillis());
        }
        throw last;
    }

    private void failIfClosed() throws CivitaiException {
        Duration again = gate.askAgainIn();
        if (!again.isZero()) {
            throw new CivitaiException(429,
                    "Civitai is rate limiting this daemon; ask again in " + again.toSeconds()
                    + " s (downloads and update checks wait on their own)", again);
        }
    }

    private HttpRequest.Builder request(String path) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(TIMEOUT)
                .header("User-Agent", userAgent).header("Accept", "application/json");
        if (apiKey != null) {
            b.header("Authorization", "Bearer " + apiKey);
        }
        return b;
    }

    private static JsonObject object(String body, String what) throws CivitaiException {
        try {
            JsonValue v = Json.parse(body);
            if (v.isObject()) {
                return v.asObject();
            }
        } catch (ParseException e) {
            // reported below
        }
        throw new CivitaiException(502,
                "Civitai's answer for " + what + " is not the JSON object expected");
    }

    private static String error(String body) {
        try {
            JsonValue v = Json.parse(body);
            if (v.isObject() && v.asObject().get("error") != null
                    && v.asObject().get("error").isString()) {
                return v.asObject().get("error").asString();
            }
        } catch (ParseException e) {
            // not JSON: say so below
        }
        return body.length() > 120 ? body.substring(0, 120) + "…" : body;
    }
}
