package civitai.daemon.notify;

import civitai.daemon.store.deliveries.WebhookStore.Delivery;
import com.eclipsesource.json.JsonArray;
import com.eclipsesource.json.JsonObject;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;

/**
 * An ntfy topic. Published as JSON to the server's root ({@code {"topic", "title", "message",
 * "priority", "tags"}}), so titles in any script survive (HTTP headers carry only Latin-1).
 * A token is sent as {@code Bearer}; {@code user:password} as Basic.
 *
 * @param topicUrl e.g. {@code https://ntfy.sh/my-topic}
 */
record NtfyTarget(String name, List<String> events, URI topicUrl, String token) implements Target {
    @Override
    public String endpoint() {
        return topicUrl.getScheme() + "://" + topicUrl.getRawAuthority() + topicUrl.getRawPath();
    }

    @Override
    public HttpRequest.Builder request(Delivery d, Instant now) {
        Notice n = Notice.of(d.event(), d.payload());
        JsonObject body = new JsonObject()
                .add("topic", topic())
                .add("title", n.title())
                .add("message", n.plainBody().isEmpty() ? n.title() : n.plainBody())
                .add("priority", priority(n.kind()))
                .add("tags", new JsonArray().add(tag(n.kind())).add("civitai-daemon"));
        String path = topicUrl.getRawPath();
        URI root = URI.create(topicUrl.getScheme() + "://" + topicUrl.getRawAuthority()
                + path.substring(0, path.lastIndexOf('/') + 1));
        HttpRequest.Builder b = HttpRequest.newBuilder(root)
                .header("Content-Type", "application/json; charset=utf-8")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString()));
        if (token != null) {
            b.header("Authorization", token.contains(":")
                    ? "Basic " + Base64.getEncoder()
                            .encodeToString(token.getBytes(StandardCharsets.UTF_8))
                    : "Bearer " + token);
        }
        return b;
    }

    private String topic() {
        String path = topicUrl.getPath();
        return path.substring(path.lastIndexOf('/') + 1);
    }

    /** ntfy's 1 (min) to 5 (max); 3 is the default. */
    static int priority(String kind) {
        return switch (kind) {
            case "failure" -> 4;
            case "warning" -> 4;
            case "info" -> 2;
            default -> 3;
        };
    }

    /** Tags that ntfy shows as emoji. */
    static String tag(String kind) {
        return switch (kind) {
            case "success" -> "white_check_mark";
            case "failure" -> "x";
            case "update" -> "new";
            case "warning" -> "warning";
            default -> "bell";
        };
    }
}
