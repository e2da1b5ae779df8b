package civitai.daemon.testing;

import com.eclipsesource.json.JsonObject;
import com.eclipsesource.json.JsonValue;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * An ntfy server on 127.0.0.1 taking JSON publishes at its root: checks the topic, the access
 * token, a title and message, a priority from 1 to 5 and tags as a list of strings. A 429 carries
 * Retry-After, as ntfy behind a rate limiter does.
 */
public final class FakeNtfy extends FakeService {
    private final String topic;
    private final String token;

    /** Listening on 127.0.0.1 on a free port. */
    public static FakeNtfy start(String topic, String token) throws IOException {
        FakeNtfy fake = new FakeNtfy(topic, token);
        fake.listen();
        return fake;
    }

    private FakeNtfy(String topic, String token) {
        this.topic = topic;
        this.token = token;
    }

    @Override
    protected List<String> check(String method, String path, Map<String, List<String>> headers,
            JsonObject body) {
        List<String> out = new ArrayList<>();
        if (!method.equals("POST") || !path.equals("/")) {
            out.add("expected a JSON publish: POST /, got " + method + " " + path);
        }
        if (!("Bearer " + token).equals(header(headers, "Authorization"))) {
            out.add("Authorization is " + header(headers, "Authorization"));
        }
        if (!topic.equals(body.getString("topic", null))) {
            out.add("topic is " + body.get("topic"));
        }
        if (body.getString("title", "").isBlank() || body.getString("message", "").isBlank()) {
            out.add("title or message is empty");
        }
        JsonValue priority = body.get("priority");
        if (priority == null || !priority.isNumber() || priority.asInt() < 1
                || priority.asInt() > 5) {
            out.add("priority is " + priority);
        }
        JsonValue tags = body.get("tags");
        if (tags == null || !tags.isArray()
                || tags.asArray().values().stream().anyMatch(t -> !t.isString())) {
            out.add("tags is " + tags);
        }
        return out;
    }

    @Override
    protected Answer ok() {
        return new Answer(200, Map.of("Content-Type", "application/json"),
                "{\"id\":\"abc\",\"event\":\"message\",\"topic\":\"" + topic + "\"}");
    }

    @Override
    protected Answer rateLimited(double seconds) {
        return new Answer(429, Map.of("Content-Type", "application/json", "Retry-After",
                Long.toString((long) Math.ceil(seconds))),
                "{\"code\":42901,\"http\":429,\"error\":\"limit reached\"}");
    }
}
