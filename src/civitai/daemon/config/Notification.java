package civitai.daemon.config;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * One notification target from config.json's {@code notifications} list (or the top-level
 * {@code webhook_url}), validated by {@link NotificationKeys}. Immutable.
 *
 * @param name     unique among the targets; names it in {@code /api/notifications} and its test
 *                 route
 * @param type     telegram, ntfy, discord or webhook
 * @param events   the event names it receives
 * @param apiUrl   overrides the service's base URL (scheme, host, port, path prefix); null for the
 *                 default
 * @param url      ntfy: the topic URL; discord: the webhook URL; webhook: the URL; null for
 *                 telegram
 * @param botToken telegram's bot token; null otherwise
 * @param chatId   telegram's chat id or {@code @channel}; null otherwise
 * @param token    ntfy's access token (or {@code user:password}); null for none
 * @param secret   webhook's HMAC key; null for unsigned
 */
public record Notification(String name, String type, List<String> events, URI apiUrl, URI url,
        String botToken, String chatId, String token, String secret) {
    /** Every event a target can ask for. */
    public static final List<String> EVENTS = List.of("download_started", "download_completed",
            "download_failed", "download_cancelled", "model_update", "model_update_error");
    /** What a target gets when it names no events (the top-level webhook_url gets them all). */
    public static final List<String> DEFAULT_EVENTS =
            List.of("download_completed", "download_failed", "model_update", "model_update_error");
    public static final List<String> TYPES = List.of("telegram", "ntfy", "discord", "webhook");

    public Notification {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        events = List.copyOf(events);
    }

    /** The secret parts of this target: tokens, keys, and the token in a Discord webhook URL. */
    public List<String> secrets() {
        List<String> out = new ArrayList<>();
        Stream.of(botToken, token, secret).filter(Objects::nonNull).forEach(out::add);
        if (type.equals("discord") && url != null && url.getRawPath() != null) {
            String path = url.getRawPath();
            out.add(path.substring(path.lastIndexOf('/') + 1));
        }
        return out;
    }
}
