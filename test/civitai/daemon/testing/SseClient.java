package civitai.daemon.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/** A server-sent-events client over a real HTTP connection; collects events and comments. */
public final class SseClient implements AutoCloseable {
    /** One received event; {@code id} null when the frame had none. */
    public record Event(String id, String name, String data) {}

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private final List<Event> events = new CopyOnWriteArrayList<>();
    private final List<String> comments = new CopyOnWriteArrayList<>();
    private final HttpResponse<InputStream> response;
    private final Thread reader;

    private SseClient(HttpResponse<InputStream> response) {
        this.response = response;
        this.reader = Thread.ofVirtual().start(this::read);
    }

    /** Connects; {@code headers} are name, value pairs (Last-Event-ID, Authorization). */
    public static SseClient connect(URI uri, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).header("Accept", "text/event-stream");
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        try {
            return new SseClient(HTTP.send(b.build(), HttpResponse.BodyHandlers.ofInputStream()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    public int status() {
        return response.statusCode();
    }

    public String contentType() {
        return response.headers().firstValue("Content-Type").orElse("");
    }

    private void read() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(response.body(),
                StandardCharsets.UTF_8))) {
            String id = null;
            String name = "message";
            StringBuilder data = new StringBuilder();
            for (String line; (line = in.readLine()) != null; ) {
                if (line.isEmpty()) {
                    if (!data.isEmpty()) {
                        events.add(new Event(id, name, data.toString()));
                    }
                    id = null;
                    name = "message";
                    data.setLength(0);
                } else if (line.startsWith(":")) {
                    comments.add(line.substring(1).strip());
                } else if (line.startsWith("id:")) {
                    id = line.substring(3).strip();
                } else if (line.startsWith("event:")) {
                    name = line.substring(6).strip();
                } else if (line.startsWith("data:")) {
                    data.append(line.substring(5).strip());
                }
            }
        } catch (IOException e) {
            // closed
        }
    }

    public List<Event> events() {
        return new ArrayList<>(events);
    }

    public List<String> comments() {
        return new ArrayList<>(comments);
    }

    /** Waits for an event that matches; returns it. */
    public Event await(Predicate<Event> match, String what) {
        Event[] found = new Event[1];
        Poll.until(Duration.ofSeconds(30), () -> {
            for (Event e : events) {
                if (match.test(e)) {
                    found[0] = e;
                    return true;
                }
            }
            return false;
        }, () -> what + "; got " + events);
        return found[0];
    }

    public Event await(String name, long jobId) {
        return await(e -> e.name().equals(name)
                && e.data().matches(".*\"job_id\":" + jobId + "[,}].*"), name + " of job " + jobId);
    }

    @Override
    public void close() {
        try {
            response.body().close();
        } catch (IOException e) {
            // already closed
        }
        reader.interrupt();
    }
}
