package civitai.daemon.http;

import civitai.daemon.http.server.ApiException;
import civitai.daemon.http.server.JsonValues;
import civitai.daemon.http.server.Reply;
import civitai.daemon.http.server.Request;
import civitai.daemon.http.server.Router;
import com.eclipsesource.json.JsonObject;
import com.eclipsesource.json.JsonValue;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * {@code GET /api/preview?path=<relative path>}: the preview image written beside a model
 * ({@code <stem>.preview.<ext>}, see {@code civitai.Sidecars}) and nothing else. The path must name
 * a regular preview file inside {@code download_dir} once every symlink is followed; anything else
 * ({@code ..}, an absolute path, a model, a symlink leading out) is the same 404, so the route
 * tells nothing about the rest of the disk. Also adds each completed job's {@code preview} path.
 * Thread-safe.
 * <pre>
 *   curl -s 'http://127.0.0.1:8123/api/preview?path=lora/pp-storybook.preview.jpeg' -o preview.jpeg
 * </pre>
 */
final class PreviewRoutes {
    static final List<String> EXTENSIONS = List.of("jpeg", "jpg", "png", "webp", "gif");
    private static final Pattern PREVIEW =
            Pattern.compile(".+\\.preview\\.(jpeg|jpg|png|webp|gif)");
    private static final Map<String, String> TYPES =
            Map.of("jpeg", "image/jpeg", "jpg", "image/jpeg",
            "png", "image/png", "webp", "image/webp", "gif", "image/gif");
    private static final long MAX_BYTES = 16 << 20;

    private final Path root;

    PreviewRoutes(Path downloadDir) {
        this.root = downloadDir.toAbsolutePath().normalize();
    }

    Reply get(Request r) throws IOException {
        String relative = r.query("path");
        Path file = resolve(relative).orElseThrow(() ->
                ApiException.notFound("no preview " + relative));
        String name = file.getFileName().toString();
        Map<String, String> headers = GuiRoutes.headers("image");
        headers.put("Content-Type", TYPES.get(name.substring(name.lastIndexOf('.') + 1)));
        headers.put("Content-Security-Policy", "default-src 'none'; sandbox");
        return new Reply.Raw(200, headers, Files.readAllBytes(file));
    }

    /** The real path of a preview file inside download_dir, or empty for anything else. */
    Optional<Path> resolve(String relative) throws IOException {
        if (relative == null || relative.indexOf('\0') >= 0 || relative.indexOf('\\') >= 0) {
            return Optional.empty();
        }
        Path candidate;
        try {
            Path given = Path.of(relative);
            if (given.isAbsolute()) {
                return Optional.empty();
            }
            candidate = root.resolve(given).normalize();
        } catch (InvalidPathException e) {
            return Optional.empty();
        }
        if (!candidate.startsWith(root)
                || !PREVIEW.matcher(candidate.getFileName().toString()).matches()
                || !Files.isRegularFile(candidate) || !Files.isDirectory(root)) {
            return Optional.empty();
        }
        Path real = candidate.toRealPath();
        if (!real.startsWith(root.toRealPath())
                || !PREVIEW.matcher(real.getFileName().toString()).matches()
                || !Files.isRegularFile(real, LinkOption.NOFOLLOW_LINKS)
                || Files.size(real) > MAX_BYTES) {
            return Optional.empty();
        }
        return Optional.of(real);
    }

    /** The preview beside a model, as a path relative to download_dir, or null when it has none. */
    String previewOf(String modelPath) {
        if (modelPath == null) {
            return null;
        }
        Path model = Path.of(modelPath).toAbsolutePath().normalize();
        if (!model.startsWith(root) || model.getParent() == null) {
            return null;
        }
        String name = model.getFileName().toString();
        String stem = name.lastIndexOf('.') > 0 ? name.substring(0, name.lastIndexOf('.')) : name;
        for (String ext : EXTENSIONS) {
            Path preview = model.resolveSibling(stem + ".preview." + ext);
            if (Files.isRegularFile(preview)) {
                return root.relativize(preview).toString().replace('\\', '/');
            }
        }
        return null;
    }

    /** Wraps a handler whose answer lists jobs, adding each one's {@code preview} (or null). */
    Router.Handler withPreviews(Router.Handler listing) {
        return r -> {
            Reply reply = listing.handle(r);
            if (reply instanceof Reply.Json json && json.body().isObject()) {
                JsonValue jobs = json.body().asObject().get("jobs");
                if (jobs != null && jobs.isArray()) {
                    for (JsonValue job : jobs.asArray()) {
                        JsonObject o = job.asObject();
                        String preview = previewOf(o.getString("path", null));
                        o.add("preview", JsonValues.nullable(preview));
                    }
                }
            }
            return reply;
        };
    }
}
