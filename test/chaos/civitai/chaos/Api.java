package civitai.chaos;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Calls to a child daemon on 127.0.0.1; a failed call is status -1 with the reason as body. */
final class Api {
    /** An answer, or status -1 when none came. */
    record Answer(int status, String body) {}

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
            .build();
    private final int port;

    Api(int port) {
        this.port = port;
    }

    Answer call(String method, String path, String json, Duration timeout) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                + path)).timeout(timeout)
                .method(method, json == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(json));
        if (json != null) {
            b.header("Content-Type", "application/json");
        }
        try {
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            return new Answer(r.statusCode(), r.body());
        } catch (IOException e) {
            return new Answer(-1, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Answer(-1, "interrupted");
        }
    }

    Answer get(String path) {
        return call("GET", path, null, Duration.ofSeconds(10));
    }

    Answer post(String path, String json) {
        return call("POST", path, json, Duration.ofSeconds(20));
    }
}
