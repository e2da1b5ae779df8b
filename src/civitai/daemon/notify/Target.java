package civitai.daemon.notify;

import civitai.daemon.config.Notification;
import civitai.daemon.store.deliveries.WebhookStore.Delivery;
import com.eclipsesource.json.Json;
import com.eclipsesource.json.JsonValue;
import java.net.URI;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;

/**
 * Where notifications go: one service, each turning a stored delivery into its HTTP request.
 * Immutable and thread-safe.
 */
public sealed interface Target permits TelegramTarget, NtfyTarget, DiscordTarget, WebhookTarget {
    /** Unique among the targets: the delivery log and the test route name it. */
    String name();

    /** The events this target receives. */
    List<String> events();

    /** Where deliveries go, as recorded and shown: never holds a secret. */
    String endpoint();

    /** The request for one delivery (the body formatted for this service). */
    HttpRequest.Builder request(Delivery delivery, Instant now);

    default String type() {
        return switch (this) {
            case TelegramTarget t -> "telegram";
            case NtfyTarget n -> "ntfy";
            case DiscordTarget d -> "discord";
            case WebhookTarget w -> "webhook";
        };
    }

    /**
     * How long the service asked to wait before the next try, or null when it did not say:
     * Telegram's {@code parameters.retry_after}, Discord's {@code retry_after}, else Retry-After.
     */
    default Duration retryAfter(int status, HttpHeaders headers, String body) {
        if (status != 429 && status != 503) {
            return null;
        }
        Duration fromBody = retryAfterInBody(body);
        return fromBody != null ? fromBody
                : headers.firstValue("Retry-After").map(Target::retryAfterHeader).orElse(null);
    }

    static Target of(Notification n) {
        return switch (n.type()) {
            case "telegram" -> new TelegramTarget(n.name(), n.events(),
                    n.apiUrl() == null ? URI.create("https://api.telegram.org") : n.apiUrl(),
                    n.botToken(), n.chatId());
            case "ntfy" -> new NtfyTarget(n.name(), n.events(), rebase(n.url(), n.apiUrl()),
                    n.token());
            case "discord" -> new DiscordTarget(n.name(), n.events(), rebase(n.url(), n.apiUrl()));
            default -> new WebhookTarget(n.name(), n.events(), rebase(n.url(), n.apiUrl()),
                    n.secret());
        };
    }

    /** {@code url} with its scheme and authority (and a path prefix) taken from {@code apiUrl}. */
    static URI rebase(URI url, URI apiUrl) {
        if (apiUrl == null) {
            return url;
        }
        String prefix = apiUrl.getRawPath() == null ? ""
                : apiUrl.getRawPath().replaceAll("/+$", "");
        String query = url.getRawQuery() == null ? "" : "?" + url.getRawQuery();
        return URI.create(apiUrl.getScheme() + "://" + apiUrl.getRawAuthority() + prefix
                + (url.getRawPath() == null ? "" : url.getRawPath()) + query);
    }

    private static Duration retryAfterInBody(String body) {
        if (body == null || body.isBlank() || !body.strip().startsWith("{")) {
            return null;
        }
        try {
            var o = Json.parse(body).asObject();
            JsonValue v = o.get("parameters") != null && o.get("parameters").isObject()
                    ? o.get("parameters").asObject().get("retry_after") : o.get("retry_after");
            return v != null && v.isNumber() && v.asDouble() >= 0
                    ? Duration.ofMillis(Math.round(v.asDouble() * 1000)) : null;
        } catch (RuntimeException e) {
            return null;  // not the JSON we know: fall back to the header
        }
    }

    private static Duration retryAfterHeader(String value) {
        try {
            long seconds = Long.parseLong(value.strip());
            return seconds >= 0 ? Duration.ofSeconds(seconds) : null;
        } catch (NumberFormatException e) {
            try {
                Instant at = ZonedDateTime.parse(value.strip(),
                        DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
                Duration d = Duration.between(Instant.now(), at);
                return d.isNegative() ? Duration.ZERO : d;
            } catch (DateTimeParseException e2) {
                return null;
            }
        }
    }
}
