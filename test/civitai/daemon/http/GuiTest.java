package civitai.daemon.http;

import static civitai.daemon.testing.TestDaemon.json;
import static civitai.daemon.testing.TestDaemon.manifest;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import civitai.daemon.auth.Jwt;
import civitai.daemon.auth.Role;
import civitai.daemon.testing.DaemonTest;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The GUI's page and files: served from the jar, cached by ETag, locked down by their headers. */
class GuiTest extends DaemonTest {
    static final HttpClient HTTP = HttpClient.newHttpClient();

    HttpResponse<String> get(String path, String... headers)
            throws IOException, InterruptedException {
        var b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + daemon.port() + path))
                .timeout(Duration.ofSeconds(10));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void thePage_isServedWithAStrictPolicy_andOnlyRelativeUrls() throws Exception {
        start(manifest());
        var page = get("/gui");
        assertEquals(200, page.statusCode());
        assertEquals("text/html; charset=utf-8",
                page.headers().firstValue("Content-Type").orElse(""));
        String csp = page.headers().firstValue("Content-Security-Policy").orElse("");
        assertTrue(csp.contains("script-src 'self'") && csp.contains("default-src 'none'"), csp);
        assertFalse(csp.contains("unsafe-inline") || csp.contains("http"), csp);
        assertEquals("nosniff", page.headers().firstValue("X-Content-Type-Options").orElse(""));
        assertTrue(page.headers().firstValue("ETag").isPresent());
        assertTrue(page.headers().firstValue("Cache-Control").orElse("").contains("no-cache"));

        String html = page.body();
        assertTrue(html.contains("<script type=\"module\" src=\"static/client.js\"></script>"),
                html);
        assertFalse(Pattern.compile("<script(?![^>]*\\bsrc=)[^>]*>", Pattern.CASE_INSENSITIVE)
                .matcher(html).find(), "no inline script");
        assertFalse(html.contains(" style=\""), "no inline style attribute");
        Matcher urls = Pattern.compile("(?:src|href)=\"([^\"]*)\"").matcher(html);
        int seen = 0;
        while (urls.find()) {
            String url = urls.group(1);
            assertFalse(url.startsWith("/") || url.contains("//"), "not relative: " + url);
            if (!url.startsWith("#")) {
                assertEquals(200, get("/" + url).statusCode(), url);
            }
            seen++;
        }
        assertTrue(seen >= 3, "the page links its CSS and scripts");
    }

    @Test
    void bootstrapsCss_isInTheJar() throws Exception {
        start(manifest());
        var css = get("/static/bootstrap.min.css");
        assertEquals(200, css.statusCode());
        assertEquals("text/css; charset=utf-8",
                css.headers().firstValue("Content-Type").orElse(""));
        assertTrue(css.body().startsWith("@charset \"UTF-8\";/*!\n * Bootstrap  v5.3"),
                css.body().substring(0, 80));
        assertEquals("nosniff", css.headers().firstValue("X-Content-Type-Options").orElse(""));
    }

    @Test
    void aMatchingIfNoneMatch_is304WithoutABody() throws Exception {
        start(manifest());
        var first = get("/static/client.js");
        assertEquals("text/javascript; charset=utf-8",
                first.headers().firstValue("Content-Type").orElse(""));
        String etag = first.headers().firstValue("ETag").orElseThrow();
        var again = get("/static/client.js", "If-None-Match", etag);
        assertEquals(304, again.statusCode());
        assertEquals("", again.body());
        assertEquals(etag, again.headers().firstValue("ETag").orElse(""));
        assertEquals(304, get("/static/client.js", "If-None-Match", "\"other\", W/" + etag)
                .statusCode());
        assertEquals(200, get("/static/client.js", "If-None-Match", "\"other\"").statusCode());
        assertEquals(200, get("/gui", "If-None-Match", etag).statusCode(), "another file's tag");
    }

    @Test
    void theRoot_redirectsRelatively_soASubPathProxyKeepsItsPrefix() throws Exception {
        start(manifest());
        var root = get("/");
        assertEquals(302, root.statusCode());
        assertEquals("gui", root.headers().firstValue("Location").orElse(""));
        assertEquals("../gui", get("/gui/").headers().firstValue("Location").orElse(""));
    }

    @ParameterizedTest
    @ValueSource(strings = {"/static/missing.js", "/static/..%2fgui.html",
            "/static/%2e%2e%2fVERSION", "/static/Client.JS", "/static/gui.html", "/static/..",
                    "/static/a/b.js", "/static/version"})
    void anythingButAGuiFile_is404(String path) throws Exception {
        start(manifest());
        var r = get(path);
        assertEquals(404, r.statusCode(), path + ": " + r.body());
        assertEquals("not_found", json(r).get("error").asObject().getString("code", null));
    }

    @Test
    void withTokens_thePageIsOpen_andWhoamiTellsTheRole_orWhyTheTokenWasRefused() throws Exception {
        String secret = "a-long-test-jwt-secret-0123456789";
        start(config("jwt_secret", secret), manifest());
        Jwt jwt = new Jwt(secret, Clock.systemUTC());
        assertEquals(200, get("/gui").statusCode());
        assertEquals(200, get("/static/client.js").statusCode());
        var anonymous = json(get("/api/whoami"));
        assertTrue(anonymous.get("role").isNull());
        assertTrue(anonymous.getBoolean("auth_required", false));
        var viewer = json(daemon.send("GET", "/api/whoami", null,
                jwt.sign(Role.VIEWER, Duration.ofMinutes(5))));
        assertEquals("viewer", viewer.getString("role", null));
        var admin = json(daemon.send("GET", "/api/whoami", null,
                jwt.sign(Role.ADMIN, Duration.ofMinutes(5))));
        assertEquals("admin", admin.getString("role", null));
        String old = new Jwt(secret, Clock.offset(Clock.systemUTC(), Duration.ofHours(-2)))
                .sign(Role.ADMIN, Duration.ofHours(1));
        var expired = daemon.send("GET", "/api/whoami", null, old);
        assertEquals(200, expired.statusCode(), "the page learns why without a failed request");
        assertTrue(json(expired).get("role").isNull());
        assertEquals("invalid token: the token has expired",
                json(expired).getString("reason", null));
        var forged = json(daemon.send("GET", "/api/whoami", null,
                new Jwt("another-secret-0123456789abcdef", Clock.systemUTC())
                .sign(Role.ADMIN, Duration.ofMinutes(5))));
        assertTrue(forged.get("role").isNull(), "a token under another secret is no one");
        assertEquals(401, daemon.send("GET", "/api/status", null, old).statusCode(),
                "the API itself still refuses");
    }

    @Test
    void withoutTokens_everyoneIsAdmin() {
        start(manifest());
        var me = daemon.getJson("/api/whoami");
        assertEquals("admin", me.getString("role", null));
        assertFalse(me.getBoolean("auth_required", true));
    }
}
