package civitai.daemon.http;

import static civitai.daemon.testing.TestDaemon.manifest;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import civitai.daemon.Main;
import civitai.daemon.auth.Jwt;
import civitai.daemon.auth.Role;
import civitai.daemon.config.ConfigException;
import civitai.daemon.config.ConfigLoader;
import civitai.daemon.testing.DaemonTest;
import civitai.daemon.testing.SseClient;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The auth matrix against the real daemon with jwt_secret set. */
class AuthTest extends DaemonTest {
    static final String SECRET = "a-long-test-jwt-secret-0123456789";
    Jwt jwt = new Jwt(SECRET, Clock.systemUTC());
    String admin = jwt.sign(Role.ADMIN, Duration.ofHours(1));
    String viewer = jwt.sign(Role.VIEWER, Duration.ofHours(1));

    @BeforeEach
    void daemon() {
        start(config("jwt_secret", SECRET), manifest());
    }

    private int status(String method, String path, String token) {
        String body = method.equals("GET") || method.equals("DELETE") ? null : "{}";
        return daemon.send(method, path, body, token).statusCode();
    }

    @Test
    void noToken_is401_exceptHealthz() {
        assertEquals(401, status("GET", "/api/status", null));
        assertEquals(401, status("GET", "/api/jobs", null));
        assertEquals(401, status("GET", "/metrics", null));
        assertEquals(401, status("POST", "/api/download", null));
        assertEquals(200, status("GET", "/healthz", null));
    }

    @Test
    void viewerReads_adminChanges() {
        assertEquals(200, status("GET", "/api/status", viewer));
        assertEquals(200, status("GET", "/api/metrics", viewer));
        assertEquals(403, status("POST", "/api/download", viewer));
        assertEquals(403, status("POST", "/api/jobs/1/pause", viewer));
        assertEquals(403, status("DELETE", "/api/jobs/1", viewer));
        assertEquals(400, status("POST", "/api/download", admin),
                "admin passes auth; {} is a bad entry");
        assertEquals(404, status("POST", "/api/jobs/1/pause", admin));
    }

    @Test
    void badSignature_wrongSecret_and_tampering_are401() {
        String otherSecret = new Jwt("another-secret-entirely-000000000", Clock.systemUTC())
                .sign(Role.ADMIN, Duration.ofHours(1));
        assertEquals(401, status("GET", "/api/status", otherSecret));
        String[] parts = viewer.split("\\.");
        String promoted = parts[0] + "."
                + encode("{\"role\":\"admin\",\"exp\":" + (Instant.now().getEpochSecond() + 3600)
                        + "}")
                + "." + parts[2];
        assertEquals(401, status("POST", "/api/download", promoted));
        assertEquals(401, status("GET", "/api/status", "not-a-jwt"));
        assertEquals(401, daemon.send("GET", "/api/status", null, null).statusCode());
    }

    @Test
    void algNone_isRefused() {
        long exp = Instant.now().getEpochSecond() + 3600;
        String none = encode("{\"alg\":\"none\",\"typ\":\"JWT\"}") + "."
                + encode("{\"role\":\"admin\",\"exp\":" + exp + "}") + ".";
        assertEquals(401, status("GET", "/api/status", none));
        String hs512 = encode("{\"alg\":\"HS512\"}") + "."
                + encode("{\"role\":\"admin\",\"exp\":" + exp + "}") + ".AAAA";
        assertEquals(401, status("GET", "/api/status", hs512));
    }

    @Test
    void expiredToken_is401() {
        Clock past = Clock.fixed(Instant.now().minus(Duration.ofDays(2)), ZoneOffset.UTC);
        String expired = new Jwt(SECRET, past).sign(Role.ADMIN, Duration.ofDays(1));
        var r = daemon.send("GET", "/api/status", null, expired);
        assertEquals(401, r.statusCode());
        assertTrue(r.body().contains("expired"), r.body());
    }

    /** A token signed with the right secret but claims the daemon must still refuse. */
    private String signed(String header, String claims) throws Exception {
        String input = encode(header) + "." + encode(claims);
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return input + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(
                mac.doFinal(input.getBytes(StandardCharsets.US_ASCII)));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "{\"alg\":\"HS256\"}                  | {\"role\":\"admin\",\"exp\":NOW+3600,"
                + "\"nbf\":NOW+600}        | not valid yet",
        "{\"alg\":\"HS256\"}                  | {\"role\":\"admin\",\"exp\":NOW+3600,"
        + "\"iat\":NOW+600}        | issued in the future",
        "{\"alg\":\"HS256\"}                  | {\"role\":\"admin\","
        + "\"exp\":NOW+40000000}                | more than a year",
        "{\"alg\":\"HS256\",\"alg\":\"none\"}     | {\"role\":\"admin\","
        + "\"exp\":NOW+3600}                    | appears twice",
        "{\"alg\":\"HS256\"}                  | {\"role\":\"viewer\",\"role\":\"admin\","
        + "\"exp\":NOW+3600}  | appears twice",
        "{\"alg\":\"HS256\"}                  | {\"role\":\"admin\",\"exp\":NOW+3600,"
        + "\"nbf\":\"soon\"}        | not a number",
        "{\"alg\":\"HS256\",\"crit\":[\"exp\"]} | {\"role\":\"admin\","
        + "\"exp\":NOW+3600}                    | crit",
    })
    void signedTokensWithBadClaims_are401(String header, String claims, String why)
    throws Exception {
        long now = Instant.now().getEpochSecond();
        Matcher m = Pattern.compile("NOW\\+(\\d+)").matcher(claims);
        String filled = m.replaceAll(r -> Long.toString(now + Long.parseLong(r.group(1))));
        var r = daemon.send("GET", "/api/status", null, signed(header.strip(), filled.strip()));
        assertEquals(401, r.statusCode(), r.body());
        assertTrue(r.body().contains(why), r.body());
    }

    @Test
    void nbfPassed_iatNow_andALongLivedTokenMintedOnPurpose_areAccepted() throws Exception {
        long now = Instant.now().getEpochSecond();
        String ok = signed("{\"alg\":\"HS256\"}", "{\"role\":\"viewer\",\"exp\":" + (now + 3600)
                + ",\"nbf\":" + (now - 10) + ",\"iat\":" + now + "}");
        assertEquals(200, status("GET", "/api/status", ok));
        String twoYears = jwt.sign(Role.VIEWER, Duration.ofDays(730));
        assertEquals(200, status("GET", "/api/status", twoYears));
    }

    @Test
    void tokenInTheQueryString_onlyForTheEventStream() {
        assertEquals(401, status("GET", "/api/status?access_token=" + viewer, null));
        try (SseClient events = SseClient.connect(URI.create("http://127.0.0.1:" + daemon.port()
                + "/api/events?access_token=" + viewer))) {
            assertEquals(200, events.status());
        }
        try (SseClient refused = SseClient.connect(URI.create("http://127.0.0.1:" + daemon.port()
                + "/api/events"))) {
            assertEquals(401, refused.status());
        }
        assertTrue(!daemon.log("download.log").contains(viewer), "the token is never logged");
    }

    @Test
    void tokenCommand_printsATokenTheDaemonAccepts() throws Exception {
        var out = new ByteArrayOutputStream();
        int code = Main.run(new String[] {"token", "--role", "admin", "--ttl", "1h", "--config",
                dir.resolve("config.json").toString()}, Map.of(),
                new PrintStream(out, true, StandardCharsets.UTF_8), System.err);
        assertEquals(0, code);
        String token = out.toString(StandardCharsets.UTF_8).strip();
        assertEquals(200, status("GET", "/api/status", token));
        assertEquals(400, status("POST", "/api/download", token));
    }

    @Test
    void withoutASecret_aNonLoopbackAddressIsRefused() throws Exception {
        Path file = dir.resolve("open.json");
        Files.writeString(file, "{\"bind_address\": \"0.0.0.0\"}");
        var e = assertThrows(ConfigException.class, () -> new ConfigLoader(Map.of()).load(file));
        assertTrue(e.getMessage().contains("jwt_secret"), e.getMessage());
        Files.writeString(file, "{\"bind_address\": \"0.0.0.0\","
                + " \"allow_unauthenticated_remote\": true}");
        new ConfigLoader(Map.of()).load(file);
        Files.writeString(file, "{\"bind_address\": \"0.0.0.0\"}");
        new ConfigLoader(Map.of("CIVITAI_DAEMON_JWT_SECRET", SECRET)).load(file);
    }

    private static String encode(String json) {
        return Base64.getUrlEncoder().withoutPadding()
                .encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void secretsAreNeverReturned() {
        String all = daemon.send("GET", "/api/status", null, admin).body()
                + daemon.send("GET", "/api/metrics", null, admin).body();
        assertTrue(!all.contains(SECRET) && !all.contains("test-api-key-0123456789"));
    }
}
