package civitai.daemon.notify;

import civitai.daemon.log.Redactor;
import civitai.daemon.store.deliveries.WebhookStore.Delivery;
import com.eclipsesource.json.JsonObject;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Instant;
import java.util.List;

/**
 * A Telegram chat, through the Bot API's {@code sendMessage} with MarkdownV2 text: the title in
 * bold, then one {@code Label: value} line per fact.
 *
 * @param apiUrl the Bot API's base, {@code https://api.telegram.org} unless overridden
 */
record TelegramTarget(String name, List<String> events, URI apiUrl, String botToken, String chatId)
        implements Target {
    private static final int MAX_TEXT = 4096;

    @Override
    public String endpoint() {
        return base() + "/bot" + Redactor.MASK + "/sendMessage";
    }

    @Override
    public HttpRequest.Builder request(Delivery d, Instant now) {
        JsonObject body = new JsonObject()
                .add("chat_id", chatId)
                .add("text", text(Notice.of(d.event(), d.payload())))
                .add("parse_mode", "MarkdownV2")
                .add("disable_web_page_preview", true);
        return HttpRequest.newBuilder(URI.create(base() + "/bot" + botToken + "/sendMessage"))
                .header("Content-Type", "application/json; charset=utf-8")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString()));
    }

    static String text(Notice n) {
        StringBuilder b = new StringBuilder();
        b.append(emoji(n.kind())).append(' ').append(MarkdownV2.bold(cut(n.title(), 200)));
        if (!n.line().isEmpty()) {
            b.append('\n').append(MarkdownV2.escape(cut(n.line(), 500)));
        }
        for (Notice.Fact f : n.facts()) {
            String line = "\n" + MarkdownV2.bold(f.label() + ":") + " "
                    + MarkdownV2.escape(cut(f.value(), 600));
            if (b.length() + line.length() > MAX_TEXT) {
                break;
            }
            b.append(line);
        }
        return b.toString();
    }

    static String emoji(String kind) {
        return switch (kind) {
            case "success" -> "\u2705";
            case "failure" -> "\u274C";
            case "update" -> "\uD83C\uDD95";
            case "warning" -> "\u26A0\uFE0F";
            default -> "\uD83D\uDD14";
        };
    }

    /** At most {@code max} characters, never splitting a surrogate pair or an escape. */
    static String cut(String s, int max) {
        if (s.length() <= max) {
            return s;
        }
        int end = Character.isHighSurrogate(s.charAt(max - 2)) ? max - 2 : max - 1;
        return s.substring(0, end) + "\u2026";
    }

    private String base() {
        return apiUrl.toString().replaceAll("/+$", "");
    }
}
