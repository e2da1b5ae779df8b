package civitai.daemon.http;

import civitai.daemon.events.EventStream;
import civitai.daemon.http.server.ApiException;
import civitai.daemon.http.server.ClientGone;
import civitai.daemon.http.server.Reply;
import civitai.daemon.http.server.Request;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * {@code GET /api/events} (and {@code /ws/downloads}, the original plan's path): live job events
 * as server-sent events. A reconnecting client sends {@code Last-Event-ID} and gets what it
 * missed; an idle stream gets a comment every {@code event_heartbeat} so proxies keep it open.
 * <pre>
 *   curl -N http://127.0.0.1:8123/api/events
 * </pre>
 * Browsers' EventSource cannot send headers, so this route also takes {@code ?access_token=}.
 */
final class EventRoutes {
    private static final int BATCH = 64;

    private final EventStream stream;
    private final Duration heartbeat;

    EventRoutes(EventStream stream, Duration heartbeat) {
        this.stream = stream;
        this.heartbeat = heartbeat;
    }

    Reply stream(Request r) throws IOException {
        HttpExchange exchange = r.exchange;
        Long lastEventId = lastEventId(exchange.getRequestHeaders().getFirst("Last-Event-ID"),
                r.query("lastEventId"));
        Optional<EventStream.Subscriber> subscribed = stream.subscribe(lastEventId);
        if (subscribed.isEmpty()) {
            exchange.getResponseHeaders().set("Retry-After", "10");
            throw new ApiException(503, "too_many_event_clients", "the event stream has its maximum"
                    + " of subscribers (max_event_clients); try again later");
        }
        try (EventStream.Subscriber subscriber = subscribed.get()) {
            return stream(exchange, subscriber);
        }
    }

    private Reply stream(HttpExchange exchange, EventStream.Subscriber subscriber)
            throws IOException {
        exchange.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
        exchange.getResponseHeaders().set("Cache-Control", "no-cache");
        exchange.getResponseHeaders().set("X-Accel-Buffering", "no");
        if (exchange.getRequestMethod().equals("HEAD")) {
            exchange.sendResponseHeaders(200, -1);
            return new Reply.Streamed();
        }
        exchange.sendResponseHeaders(200, 0);
        try (OutputStream out = exchange.getResponseBody()) {
            write(out, "retry: 3000\n: connected\n\n");
            pump(subscriber, out);
        } catch (EventStream.Ended e) {
            // the daemon is stopping, or this client fell behind and will reconnect
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return new Reply.Streamed();
    }

    private void pump(EventStream.Subscriber subscriber, OutputStream out)
            throws IOException, InterruptedException, EventStream.Ended {
        while (true) {
            Optional<EventStream.Frame> first =
                    subscriber.next(heartbeat.toMillis(), TimeUnit.MILLISECONDS);
            if (first.isEmpty()) {
                write(out, ": heartbeat\n\n");
                continue;
            }
            StringBuilder batch = new StringBuilder(first.get().text());
            for (int i = 1; i < BATCH; i++) {  // send what is already waiting in one write
                Optional<EventStream.Frame> more = subscriber.next(0, TimeUnit.MILLISECONDS);
                if (more.isEmpty()) {
                    break;
                }
                batch.append(more.get().text());
            }
            write(out, batch.toString());
        }
    }

    private static void write(OutputStream out, String text) throws ClientGone {
        try {
            out.write(text.getBytes(StandardCharsets.UTF_8));
            out.flush();
        } catch (IOException e) {
            throw new ClientGone(e);
        }
    }

    private static Long lastEventId(String header, String query) {
        String value = header != null ? header : query;
        if (value == null) {
            return null;
        }
        try {
            return Long.parseLong(value.strip());
        } catch (NumberFormatException e) {
            return -1L;  // not one of ours: the client gets a reset and refetches
        }
    }
}
