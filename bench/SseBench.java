import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * SUBSCRIBERS clients on the daemon's event stream; DOWNLOADS small downloads added over the API;
 * prints how late each job.completed event reached each subscriber (from the event's own "time").
 * Run: java bench/SseBench.java http://127.0.0.1:PORT FILE_URL SUBSCRIBERS DOWNLOADS
 */
public class SseBench {
    private static final Pattern TIME = Pattern.compile("\"time\":\"([^\"]+)\"");

    public static void main(String[] args) throws Exception {
        String base = args[0];
        String fileUrl = args[1];
        int subscribers = Integer.parseInt(args[2]);
        int downloads = Integer.parseInt(args[3]);
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        ConcurrentLinkedQueue<Long> latenciesMicros = new ConcurrentLinkedQueue<>();
        CountDownLatch connected = new CountDownLatch(subscribers);
        CountDownLatch finished = new CountDownLatch(subscribers);
        AtomicInteger failedConnections = new AtomicInteger();
        for (int i = 0; i < subscribers; i++) {
            Thread.ofVirtual().start(() -> {
                try {
                    HttpResponse<Stream<String>> r = client.send(HttpRequest.newBuilder(URI.create(base + "/api/events"))
                            .build(), HttpResponse.BodyHandlers.ofLines());
                    int seen = 0;
                    boolean completed = false;
                    var lines = r.body().iterator();
                    while (lines.hasNext() && seen < downloads) {
                        String line = lines.next();
                        if (line.equals(": connected")) {
                            connected.countDown();
                        } else if (line.equals("event: job.completed")) {
                            completed = true;
                        } else if (completed && line.startsWith("data:")) {
                            Matcher m = TIME.matcher(line);
                            if (m.find()) {
                                latenciesMicros.add(Duration.between(Instant.parse(m.group(1)), Instant.now()).toNanos() / 1000);
                            }
                            completed = false;
                            seen++;
                        }
                    }
                    r.body().close();
                } catch (Exception e) {
                    failedConnections.incrementAndGet();
                    connected.countDown();
                } finally {
                    finished.countDown();
                }
            });
        }
        if (!connected.await(60, TimeUnit.SECONDS)) {
            System.out.println("not every subscriber connected in 60 s");
        }
        for (int d = 0; d < downloads; d++) {
            String entry = "{\"model_type\":\"lora\",\"filename\":\"sse-" + d + ".safetensors\",\"url\":\"" + fileUrl + "\"}";
            client.send(HttpRequest.newBuilder(URI.create(base + "/api/download")).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(entry)).build(), HttpResponse.BodyHandlers.discarding());
        }
        finished.await(120, TimeUnit.SECONDS);
        List<Long> sorted = new ArrayList<>(latenciesMicros);
        Collections.sort(sorted);
        int expected = subscribers * downloads;
        System.out.printf("SSE: %d subscribers x %d completions: %d received (%d connections failed)%n",
                subscribers, downloads, sorted.size(), failedConnections.get());
        if (!sorted.isEmpty()) {
            System.out.printf("completion event latency: p50 %.1f ms, p99 %.1f ms, max %.1f ms%n",
                    sorted.get(sorted.size() / 2) / 1000.0, sorted.get((int) Math.min(sorted.size() - 1, Math.ceil(sorted.size() * 0.99) - 1)) / 1000.0,
                    sorted.get(sorted.size() - 1) / 1000.0);
        }
        System.exit(sorted.size() == expected ? 0 : 1);
    }
}
