package civitai.daemon.testing;

import com.eclipsesource.json.JsonObject;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The Telegram Bot API's {@code sendMessage} on 127.0.0.1: checks the bot token in the path, the
 * chat id, and that the text is valid MarkdownV2 (every reserved character escaped, entities
 * closed), as Telegram refuses the whole message otherwise. A 429 carries
 * {@code parameters.retry_after} as Telegram's does.
 */
public final class FakeTelegram extends FakeService {
    private static final String RESERVED = "_*[]()~`>#+-=|{}.!";
    private final String token;
    private final String chatId;

    /** Listening on 127.0.0.1 on a free port. */
    public static FakeTelegram start(String token, String chatId) throws IOException {
        FakeTelegram fake = new FakeTelegram(token, chatId);
        fake.listen();
        return fake;
    }

    private FakeTelegram(String token, String chatId) {
        this.token = token;
        this.chatId = chatId;
    }

    @Override
    protected List<String> check(String method, String path, Map<String, List<String>> headers,
            JsonObject body) {
        List<String> out = new ArrayList<>();
        if (!method.equals("POST") || !path.equals("/bot" + token + "/sendMessage")) {
            out.add("expected POST /bot<token>/sendMessage, got " + method + " " + path);
        }
        if (!String.valueOf(header(headers, "Content-Type")).startsWith("application/json")) {
            out.add("Content-Type is " + header(headers, "Content-Type"));
        }
        if (!chatId.equals(body.getString("chat_id", null))) {
            out.add("chat_id is " + body.get("chat_id"));
        }
        if (!"MarkdownV2".equals(body.getString("parse_mode", null))) {
            out.add("parse_mode is " + body.get("parse_mode"));
        }
        String text = body.getString("text", "");
        if (text.isEmpty() || text.length() > 4096) {
            out.add("text length " + text.length());
        }
        String markdown = markdownProblem(text);
        if (markdown != null) {
            out.add(markdown);
        }
        return out;
    }

    /**
     * Telegram's own complaint about {@code text}, or null when it parses (bold and italic only).
     */
    public static String markdownProblem(String text) {
        boolean bold = false;
        boolean italic = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\\') {
                if (i + 1 >= text.length()) {
                    return "can't parse entities: a lone '\\' at the end";
                }
                i++;
            } else if (c == '*') {
                bold = !bold;
            } else if (c == '_') {
                italic = !italic;
            } else if (RESERVED.indexOf(c) >= 0) {
                return "can't parse entities: Character '" + c + "' is reserved and must be escaped"
                        + " with the preceding '\\'";
            }
        }
        return bold || italic ? "can't parse entities: can't find end of the entity" : null;
    }

    /** The text of an accepted message as the chat shows it: escapes and entity markers removed. */
    public static String shown(String text) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\\' && i + 1 < text.length()) {
                b.append(text.charAt(++i));
            } else if (c != '*' && c != '_') {
                b.append(c);
            }
        }
        return b.toString();
    }

    @Override
    protected Answer ok() {
        return new Answer(200, Map.of("Content-Type", "application/json"),
                "{\"ok\":true,\"result\":{\"message_id\":1,\"chat\":{\"id\":" + chatId + "}}}");
    }

    @Override
    protected Answer rateLimited(double seconds) {
        long s = (long) Math.ceil(seconds);
        return new Answer(429, Map.of("Content-Type", "application/json"), "{\"ok\":false,"
                + "\"error_code\":429,\"description\":\"Too Many Requests: retry after " + s
                + "\",\"parameters\":{\"retry_after\":" + s + "}}");
    }

    @Override
    protected Answer refused(int status, String why) {
        return new Answer(status, Map.of("Content-Type", "application/json"),
                new JsonObject().add("ok", false).add("error_code", status)
                        .add("description", "Bad Request: " + why).toString());
    }
}
