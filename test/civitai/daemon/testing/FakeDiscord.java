package civitai.daemon.testing;

import com.eclipsesource.json.JsonObject;
import com.eclipsesource.json.JsonValue;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A Discord channel webhook on 127.0.0.1 ({@code /api/webhooks/ID/TOKEN}): checks the embed (a
 * title, an integer colour, fields with non-empty names and values within Discord's limits) and
 * that mentions are off. Answers 204 as Discord does; a 429 carries {@code retry_after} in its
 * body.
 */
public final class FakeDiscord extends FakeService {
    private final String path;

    /** Listening on 127.0.0.1 on a free port. */
    public static FakeDiscord start(String id, String token) throws IOException {
        FakeDiscord fake = new FakeDiscord(id, token);
        fake.listen();
        return fake;
    }

    private FakeDiscord(String id, String token) {
        this.path = "/api/webhooks/" + id + "/" + token;
    }

    /** The webhook URL as Discord shows it, here on loopback. */
    public String webhookUrl() {
        return base() + path;
    }

    @Override
    protected List<String> check(String method, String path, Map<String, List<String>> headers,
            JsonObject body) {
        List<String> out = new ArrayList<>();
        if (!method.equals("POST") || !path.equals(this.path)) {
            out.add("expected POST " + this.path + ", got " + method + " " + path);
        }
        JsonValue embeds = body.get("embeds");
        if (embeds == null || !embeds.isArray() || embeds.asArray().isEmpty()
                || embeds.asArray().size() > 10) {
            return List.of("embeds is " + embeds);
        }
        for (JsonValue e : embeds.asArray()) {
            JsonObject embed = e.asObject();
            String title = embed.getString("title", "");
            if (title.isEmpty() || title.length() > 256) {
                out.add("embed title is " + embed.get("title"));
            }
            if (embed.get("color") == null || !embed.get("color").isNumber()) {
                out.add("embed color is " + embed.get("color"));
            }
            JsonValue fields = embed.get("fields");
            for (JsonValue f : fields == null ? List.<JsonValue>of() : fields.asArray().values()) {
                String name = f.asObject().getString("name", "");
                String value = f.asObject().getString("value", "");
                if (name.isEmpty() || name.length() > 256 || value.isEmpty()
                        || value.length() > 1024) {
                    out.add("embed field " + f);
                }
            }
        }
        JsonValue mentions = body.get("allowed_mentions");
        if (mentions == null || !mentions.isObject()
                || !mentions.asObject().get("parse").asArray().isEmpty()) {
            out.add("allowed_mentions is " + mentions + "; mentions should be off");
        }
        return out;
    }

    @Override
    protected Answer ok() {
        return new Answer(204, Map.of(), "");
    }

    @Override
    protected Answer rateLimited(double seconds) {
        return new Answer(429, Map.of("Content-Type", "application/json", "Retry-After",
                Long.toString((long) Math.ceil(seconds))),
                "{\"message\":\"You are being rate limited.\",\"retry_after\":"
                + seconds + ",\"global\":false}");
    }
}
