package civitai.daemon.http;

import civitai.daemon.auth.Jwt;
import civitai.daemon.http.server.ApiException;
import civitai.daemon.http.server.JsonValues;
import civitai.daemon.http.server.Reply;
import civitai.daemon.http.server.Request;
import civitai.daemon.http.server.Router;
import com.eclipsesource.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The browser GUI: {@code GET /gui} (the page), {@code GET /} (a relative redirect to it) and
 * {@code GET /static/<name>} (its CSS and ES modules, Bootstrap's CSS among them), read from the
 * jar's {@code civitai/daemon/web/} folder. Every file carries an {@code ETag} and answers a
 * matching {@code If-None-Match} with 304; the page's Content-Security-Policy allows scripts,
 * styles and connections from the daemon itself only. Every URL the page uses is relative, so it
 * works behind a reverse proxy under a sub-path. Thread-safe.
 * <pre>
 *   curl -sI http://127.0.0.1:8123/gui
 * </pre>
 */
final class GuiRoutes {
    static final String ROOT = "civitai/daemon/web/";
    /**
     * No inline script or style element, nothing from another origin; data: for Bootstrap's icons.
     */
    static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self';"
            + " img-src 'self' data: blob:; connect-src 'self'; font-src 'self'; manifest-src"
            + " 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9.-]{0,80}\\.(js|css|svg)");
    private static final Map<String, String> TYPES = Map.of(
            "html", "text/html; charset=utf-8",
            "js", "text/javascript; charset=utf-8",
            "css", "text/css; charset=utf-8",
            "svg", "image/svg+xml");

    /** One file of the GUI, read once: its bytes, type and entity tag. */
    record Asset(byte[] body, String contentType, String etag) {}

    private final Map<String, Optional<Asset>> cache = new ConcurrentHashMap<>();
    private final ClassLoader loader;

    GuiRoutes() {
        this(GuiRoutes.class.getClassLoader());
    }

    GuiRoutes(ClassLoader loader) {
        this.loader = loader;
    }

    /**
     * {@code /}: to the page; relative, so {@code /civitai/} behind a proxy goes to
     * {@code /civitai/gui}.
     */
    Reply root(Request r) {
        return redirect("gui");
    }

    /** {@code /gui/} would break the page's relative URLs: back to {@code /gui}. */
    Reply slash(Request r) {
        return redirect("../gui");
    }

    Reply page(Request r) {
        return serve(r, "gui.html");
    }

    Reply file(Request r) {
        String name = r.params.get("name");
        if (!NAME.matcher(name).matches() || name.contains("..")) {
            throw ApiException.notFound("no such file: " + name);
        }
        return serve(r, name);
    }

    private Reply serve(Request r, String name) {
        Asset asset = cache.computeIfAbsent(name, this::load)
                .orElseThrow(() -> ApiException.notFound("no such file: " + name));
        Map<String, String> headers = headers(asset.contentType());
        headers.put("ETag", asset.etag());
        if (matches(r.exchange.getRequestHeaders().getFirst("If-None-Match"), asset.etag())) {
            return new Reply.Raw(304, headers, new byte[0]);
        }
        headers.put("Content-Type", asset.contentType());
        return new Reply.Raw(200, headers, asset.body());
    }

    /** Headers every GUI answer carries: revalidated on each use, never sniffed, never framed. */
    static Map<String, String> headers(String contentType) {
        Map<String, String> h = new LinkedHashMap<>();
        h.put("Cache-Control", "no-cache");
        h.put("X-Content-Type-Options", "nosniff");
        h.put("Referrer-Policy", "no-referrer");
        if (contentType.startsWith("text/html")) {
            h.put("Content-Security-Policy", CSP);
            h.put("X-Frame-Options", "DENY");
        }
        return h;
    }

    private static Reply redirect(String location) {
        Map<String, String> h = headers("text/plain");
        h.put("Location", location);
        return new Reply.Raw(302, h, new byte[0]);
    }

    /**
     * {@code If-None-Match}: a list of tags (weak ones compare by their opaque part) or {@code *}.
     */
    static boolean matches(String ifNoneMatch, String etag) {
        if (ifNoneMatch == null) {
            return false;
        }
        for (String tag : ifNoneMatch.split(",")) {
            String t = tag.strip();
            if (t.equals("*") || t.equals(etag) || t.equals("W/" + etag)) {
                return true;
            }
        }
        return false;
    }

    private Optional<Asset> load(String name) {
        try (InputStream in = loader.getResourceAsStream(ROOT + name)) {
            if (in == null) {
                return Optional.empty();
            }
            byte[] body = in.readAllBytes();
            String ext = name.substring(name.lastIndexOf('.') + 1).toLowerCase(Locale.ROOT);
            return Optional.of(new Asset(body, TYPES.get(ext), etag(body)));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the GUI file " + name + " from the jar", e);
        }
    }

    private static String etag(byte[] body) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(body);
            return "\"" + HexFormat.of().formatHex(hash, 0, 16) + "\"";
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }

    /**
     * {@code GET /api/whoami}: the caller's role, whether tokens are needed, and why a token given
     * was refused. Open, and always 200, so the page finds out it must ask for a token without a
     * failed request in the browser's console.
     *
     * @param jwt null when {@code jwt_secret} is unset
     */
    static Router.Handler whoami(Jwt jwt) {
        return r -> {
            JsonObject out = new JsonObject().add("auth_required", jwt != null);
            if (jwt == null) {
                return Reply.ok(out.add("role", "admin"));
            }
            String header = r.exchange.getRequestHeaders().getFirst("Authorization");
            if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
                return Reply.ok(out.add("role", JsonValues.nullable((String) null))
                        .add("reason", header == null ? "no token"
                                : "use Authorization: Bearer <token>"));
            }
            try {
                return Reply.ok(out.add("role",
                        jwt.verify(header.substring(7).strip()).name().toLowerCase(Locale.ROOT)));
            } catch (Jwt.InvalidToken e) {
                return Reply.ok(out.add("role", JsonValues.nullable((String) null))
                        .add("reason", e.getMessage()));
            }
        };
    }
}
