package civitai.chaos;

import com.eclipsesource.json.Json;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Generates hostile requests: malformed and deeply nested JSON, wrong types, huge strings and
 * bodies, invalid UTF-8, path traversal in every field (marked "chaosmark" so a file that escaped
 * can be found), header abuse, forged, expired and not-yet-valid tokens, foreign Host headers.
 */
final class HostileRequests {
    static final String MARK = "chaosmark";
    private static final List<String> TRAVERSALS =
            List.of("../../../../../../tmp/" + MARK, "..\\..\\..\\" + MARK,
            "%2e%2e%2f%2e%2e%2f" + MARK, "/tmp/" + MARK, "....//....//" + MARK, "..%c0%af" + MARK,
            "models/../../" + MARK, MARK + "\u0000.safetensors", "C:\\Windows\\" + MARK,
            "\u202e" + MARK + ".exe", "CON", "NUL.safetensors", "./" + MARK, MARK + "/../../x",
            "~/" + MARK);
    private static final List<String> PATHS =
            List.of("/api/download", "/api/batch", "/api/jobs/1", "/api/jobs/1/retry",
                    "/api/jobs/99999999999999999999", "/api/jobs/-1/pause", "/api/updates/check",
            "/api/jobs?limit=-5&state=%00", "/api/jobs?limit=999999999999",
            "/api/completed?since=not-a-date", "/api/../../etc/passwd",
            "/api/jobs/1?delete_file=true", "/%2e%2e/%2e%2e/etc/passwd",
            "/api/events?last_event_id=-1", "/metrics", "/api/webhooks", "/api/status",
            "/healthz/../api/status");
    private static final List<String> METHODS =
            List.of("GET", "POST", "PATCH", "DELETE", "PUT", "OPTIONS", "TRACE",
            "HEAD", "CONNECT", "FOO", "G\u00e9T");

    private final Random random;
    private final int port;
    private final String secret;

    HostileRequests(Random random, int port, String secret) {
        this.random = random;
        this.port = port;
        this.secret = secret;
    }

    private <T> T pick(List<T> from) {
        return from.get(random.nextInt(from.size()));
    }

    /** One request; {@code kind} names its family for the tally. */
    record Hostile(String kind, byte[] bytes) {}

    Hostile next() {
        // slow to send and to refuse: 1 % keeps 10,000 within minutes
        if (random.nextInt(100) == 0) {
            return new Hostile("huge", huge());
        }
        return switch (random.nextInt(10)) {
            case 0 -> new Hostile("malformed json",
                    post(pick(List.of("/api/download", "/api/batch", "/api/jobs/1")),
                    malformed().getBytes(StandardCharsets.UTF_8), token()));
            case 1 -> new Hostile("deep nesting",
                    post(pick(List.of("/api/download", "/api/batch")), nested(), token()));
            case 2 -> new Hostile("wrong types",
                    post("/api/download", wrongTypes().getBytes(StandardCharsets.UTF_8), token()));
            case 3 -> new Hostile("long strings", post("/api/download", ("{\"model_type\":\"lora\","
                    + "\"url\":\"http://127.0.0.1:1/x\",\"filename\":\""
                    + "b".repeat(1 + random.nextInt(20_000)) + ".safetensors\"}")
                            .getBytes(StandardCharsets.UTF_8), token()));
            case 4 -> new Hostile("invalid utf-8", invalidUtf8());
            case 5, 6 -> new Hostile("traversal",
                    post(pick(List.of("/api/download", "/api/batch")), traversal(), token()));
            case 7 -> new Hostile("header abuse", headerAbuse());
            case 8 -> new Hostile("tokens",
                    RawHttp.request(port, pick(List.of("GET", "POST")), pick(PATHS),
                    "Authorization: Bearer " + badToken() + "\r\n", null));
            default -> new Hostile("foreign host/method", foreign());
        };
    }

    private byte[] post(String path, byte[] body, String token) {
        String method = path.equals("/api/jobs/1") ? "PATCH" : "POST";
        return RawHttp.request(port, method, path,
                token == null ? "" : "Authorization: Bearer " + token + "\r\n", body);
    }

    private String token() {
        return secret == null || random.nextInt(3) == 0 ? null
                : sign("{\"alg\":\"HS256\",\"typ\":\"JWT\"}",
                        "{\"sub\":\"x\",\"role\":\"admin\",\"iat\":" + now() + ",\"exp\":"
                + (now() + 600) + "}", secret);
    }

    private String malformed() {
        return pick(List.of("{", "}", "{\"url\":", "{\"url\" \"x\"}", "[1,2,", "{'url':'x'}", "nul",
                "{\"a\":1}}",
                "\"\\ud800\"", "{\"url\":\"\\u00\"}", "1e999999", "-",
                "{\"model_type\":\"lora\",\"url\":\"http://x\",}",
                "\u0000\u0001\u0002", "{\"url\":\"" + "\\".repeat(1001) + "\"}", ""));
    }

    private byte[] nested() {
        int depth = pick(List.of(100, 1_000, 10_000, 100_000));
        String open = random.nextBoolean() ? "[" : "{\"a\":";
        String close = open.equals("[") ? "]" : "}";
        return (open.repeat(depth) + "1" + close.repeat(random.nextBoolean() ? depth : depth / 2))
                .getBytes(StandardCharsets.UTF_8);
    }

    private String wrongTypes() {
        return pick(List.of("{\"url\":5,\"model_type\":[]}", "{\"url\":null,\"model_type\":null}",
                "{\"url\":{\"a\":1},\"model_type\":\"lora\"}",
                "{\"url\":\"http://127.0.0.1:1/x\",\"model_type\":true}",
                "{\"url\":\"http://127.0.0.1:1/x\",\"model_type\":\"lora\",\"priority\":\"high\"}",
                "{\"url\":\"http://127.0.0.1:1/x\",\"model_type\":\"lora\",\"priority\":1e300}",
                "{\"url\":\"http://127.0.0.1:1/x\",\"model_type\":\"lora\",\"sha256\":12}", "[]",
                "\"string\"", "42", "{\"entries\":{}}", "{\"priority\":-99999999999999999999}"));
    }

    private byte[] huge() {
        return switch (random.nextInt(4)) {
            case 0 -> post("/api/download", ("{\"url\":\"http://127.0.0.1:1/" + "a".repeat(2 << 20)
                    + "\",\"model_type\":\"lora\"}").getBytes(StandardCharsets.UTF_8), token());
            case 1 -> post("/api/download", ("{\"model_type\":\"lora\","
                    + "\"url\":\"http://127.0.0.1:1/x\",\"filename\":\""
                    + "b".repeat(100_000) + ".safetensors\"}").getBytes(StandardCharsets.UTF_8),
                    token());
            // over the 16 MiB cap
            case 2 -> RawHttp.request(port, "POST", "/api/batch", "", new byte[20 << 20]);
            default -> RawHttp.concat(("POST /api/download HTTP/1.1\r\nHost: 127.0.0.1:" + port
                    + "\r\nContent-Type: application/json\r\nContent-Length: 99999999999\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1),
                    "{\"url\":".getBytes(StandardCharsets.UTF_8));
        };
    }

    private byte[] invalidUtf8() {
        byte[] bad = {(byte) 0xC3, (byte) 0x28, (byte) 0xFF, (byte) 0xFE, (byte) 0xED, (byte) 0xA0,
                (byte) 0x80};
        byte[] body = RawHttp.concat(("{\"model_type\":\"lora\",\"url\":\"http://127.0.0.1:1/x\","
                + "\"filename\":\"").getBytes(StandardCharsets.UTF_8),
                RawHttp.concat(bad, "\"}".getBytes(StandardCharsets.UTF_8)));
        if (random.nextBoolean()) {
            return post("/api/download", body, token());
        }
        byte[] head = "GET /api/jobs/".getBytes(StandardCharsets.ISO_8859_1);
        byte[] mid = (" HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nX-Bad: ")
                .getBytes(StandardCharsets.ISO_8859_1);
        byte[] tail = "\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1);
        return RawHttp.concat(RawHttp.concat(head, bad),
                RawHttp.concat(RawHttp.concat(mid, bad), tail));
    }

    private byte[] traversal() {
        String t = pick(TRAVERSALS);
        String json = switch (random.nextInt(6)) {
            case 0 -> "{\"model_type\":\"lora\",\"url\":\"http://127.0.0.1:1/x\",\"filename\":"
                    + quote(t + ".safetensors") + "}";
            case 1 -> "{\"model_type\":" + quote(t)
                    + ",\"url\":\"http://127.0.0.1:1/x\",\"filename\":\"a.safetensors\"}";
            case 2 -> "{\"model_type\":\"lora\",\"url\":" + quote("file:///etc/passwd?" + t) + "}";
            case 3 -> "{\"model_type\":\"lora\",\"url\":" + quote("http://127.0.0.1:1/" + t) + "}";
            case 4 -> "[{\"model_type\":\"lora\",\"url\":\"http://127.0.0.1:1/x\",\"filename\":"
                    + quote(t) + "}]";
            default -> "{\"model_type\":\"lora\",\"url\":\"http://127.0.0.1:1/x\","
                    + "\"filename\":\"a.safetensors\",\"extra\":"
                    + quote(t) + ",\"modelId\":" + quote(t) + "}";
        };
        return json.getBytes(StandardCharsets.UTF_8);
    }

    private static String quote(String s) {
        return Json.value(s).toString();
    }

    private byte[] headerAbuse() {
        String h = switch (random.nextInt(8)) {
            case 0 -> "X-Big: " + "h".repeat(200_000) + "\r\n";
            case 1 -> "X-Many: 1\r\n".repeat(5_000);
            case 2 -> "Content-Length: 5\r\nContent-Length: 500\r\n";
            case 3 -> "Transfer-Encoding: chunked\r\nContent-Length: 3\r\n";
            case 4 -> "Host: evil.example\r\n";
            case 5 -> "X-Inject: a\r\n\r\nGET /api/jobs HTTP/1.1\r\n";
            case 6 -> "Authorization: Basic " + "A".repeat(10_000) + "\r\n";
            default -> "Content-Length: -1\r\n";
        };
        String m = random.nextBoolean() ? "POST" : "GET";
        String req = m + " " + pick(PATHS) + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\n" + h
                + "Connection: close\r\n\r\n" + (m.equals("POST") ? "{}" : "");
        return req.getBytes(StandardCharsets.ISO_8859_1);
    }

    private byte[] foreign() {
        String host = pick(List.of("evil.example", "127.0.0.1.evil.example", "localhost:1",
                "[::1]:0", "", "127.0.0.1:" + port + "@evil", "LOCALHOST:" + port, " 127.0.0.1",
                "127.0.0.1:" + port + ", evil", "0x7f.1"));
        String req = pick(METHODS) + " " + pick(PATHS) + " HTTP/1.1\r\nHost: " + host
                + "\r\nConnection: close\r\n\r\n";
        return req.getBytes(StandardCharsets.UTF_8);
    }

    private String badToken() {
        long now = now();
        String header = "{\"alg\":\"HS256\",\"typ\":\"JWT\"}";
        String key = secret == null ? "nothing" : secret;
        return switch (random.nextInt(8)) {
            case 0 -> sign(header, "{\"role\":\"admin\",\"exp\":" + (now + 600) + "}",
                    "forged-secret");
            case 1 -> sign(header, "{\"role\":\"admin\",\"iat\":" + (now - 7200) + ",\"exp\":"
                    + (now - 3600) + "}", key);
            case 2 -> sign(header, "{\"role\":\"admin\",\"nbf\":" + (now + 3600) + ",\"exp\":"
                    + (now + 7200) + "}", key);
            case 3 -> sign("{\"alg\":\"none\"}", "{\"role\":\"admin\",\"exp\":" + (now + 600) + "}",
                    key);
            case 4 -> sign("{\"alg\":\"HS256\",\"alg\":\"none\"}",
                    "{\"role\":\"admin\",\"exp\":" + (now + 600) + "}", key);
            case 5 -> sign(header, "{\"role\":\"root\",\"exp\":" + (now + 600) + "}", key);
            case 6 -> "a.b.c." + "x".repeat(random.nextInt(5000));
            default -> sign(header, "{\"role\":\"admin\",\"iat\":" + (now + 86_400) + ",\"exp\":"
                    + (now + 90_000) + "}", key);
        };
    }

    private static long now() {
        return System.currentTimeMillis() / 1000;
    }

    static String sign(String header, String claims, String secret) {
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        String input = b64.encodeToString(header.getBytes(StandardCharsets.UTF_8)) + "."
                + b64.encodeToString(claims.getBytes(StandardCharsets.UTF_8));
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return input + "." + b64.encodeToString(mac.doFinal(input.getBytes(
                    StandardCharsets.US_ASCII)));
        } catch (GeneralSecurityException e) {
            throw new AssertionError(e);
        }
    }
}
