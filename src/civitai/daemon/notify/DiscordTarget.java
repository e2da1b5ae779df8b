package civitai.daemon.notify;

import civitai.daemon.log.Redactor;
import civitai.daemon.store.deliveries.WebhookStore.Delivery;
import com.eclipsesource.json.JsonArray;
import com.eclipsesource.json.JsonObject;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Instant;
import java.util.List;

/**
 * A Discord channel webhook: one embed per event, coloured by outcome, the facts as inline
 * fields. Mentions are disabled, so a model named {@code @everyone} pings no one.
 */
record DiscordTarget(String name, List<String> events, URI webhookUrl) implements Target {
    @Override
    public String endpoint() {
        String path = webhookUrl.getRawPath();
        return webhookUrl.getScheme() + "://" + webhookUrl.getRawAuthority()
                + path.substring(0, path.lastIndexOf('/') + 1) + Redactor.MASK;
    }

    @Override
    public HttpRequest.Builder request(Delivery d, Instant now) {
        Notice n = Notice.of(d.event(), d.payload());
        JsonArray fields = new JsonArray();
        for (Notice.Fact f : n.facts().subList(0, Math.min(25, n.facts().size()))) {
            fields.add(new JsonObject().add("name", TelegramTarget.cut(f.label(), 256))
                    .add("value", TelegramTarget.cut(f.value(), 1024))
                    .add("inline", !f.label().equals("Path")));
        }
        JsonObject embed = new JsonObject()
                .add("title", TelegramTarget.cut(n.title(), 256))
                .add("color", colour(n.kind()))
                .add("fields", fields)
                .add("footer", new JsonObject().add("text", "civitai-daemon"));
        if (!n.line().isEmpty()) {
            embed.add("description", TelegramTarget.cut(n.line(), 4096));
        }
        if (n.timestamp() != null) {
            embed.add("timestamp", n.timestamp());
        }
        JsonObject body = new JsonObject()
                .add("username", "civitai-daemon")
                .add("embeds", new JsonArray().add(embed))
                .add("allowed_mentions", new JsonObject().add("parse", new JsonArray()));
        return HttpRequest.newBuilder(webhookUrl)
                .header("Content-Type", "application/json; charset=utf-8")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString()));
    }

    static int colour(String kind) {
        return switch (kind) {
            case "success" -> 0x2ECC71;
            case "failure" -> 0xE74C3C;
            case "update" -> 0x3498DB;
            case "warning" -> 0xE67E22;
            default -> 0x95A5A6;
        };
    }
}
