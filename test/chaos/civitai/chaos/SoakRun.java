package civitai.chaos;

import civitai.daemon.testing.Bytes;
import civitai.daemon.testing.ChildDaemon;
import civitai.daemon.testing.Db;
import civitai.daemon.testing.FakeCivitai;
import civitai.daemon.testing.FakeStorage;
import civitai.daemon.testing.TestDaemon;
import com.eclipsesource.json.JsonArray;
import com.eclipsesource.json.WriterConfig;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Many small downloads added by batches while the API is polled (status, jobs, metrics) and two
 * event-stream clients listen, one reading everything and one never reading: heap after GC, RSS,
 * open file descriptors and threads at the start and the end must stay flat.
 */
final class SoakRun {
    private static final int SIZE = 4096;

    private SoakRun() {}

    static void run(Stage stage) throws Exception {
        Path dir = stage.dir;
        int n = stage.mode.soakDownloads();
        try (FakeStorage storage = new FakeStorage(); FakeCivitai civitai =
                new FakeCivitai(storage)) {
            byte[] content = Bytes.random(SIZE, stage.random.nextLong());
            String sha = Bytes.sha256(content);
            storage.put("soak", content);
            Files.writeString(dir.resolve("manifest.json"), "[]");
            Files.writeString(dir.resolve("config.json"),
                    TestDaemon.testConfig(civitai).set("workers", 4)
                    .set("connections_per_download", 1).set("update_interval_hours", 0)
                    .toString(WriterConfig.PRETTY_PRINT));
            try (ChildDaemon d = stage.daemon(dir.resolve("config.json"), "soak.out", List.of())) {
                int port = d.awaitPort();
                Api api = new Api(port);
                api.get("/api/status");
                Snapshot start = Snapshot.of(d.pid());
                Poller poller = new Poller(api);
                AtomicLong events = new AtomicLong();
                Thread reader = Thread.ofVirtual().start(() -> readEvents(port, events));
                Socket deaf = HostileRun.connect(port);  // subscribes, never reads
                deaf.getOutputStream().write(("GET /api/events HTTP/1.1\r\nHost: 127.0.0.1:" + port
                        + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
                long t0 = System.nanoTime();
                for (int from = 0; from < n; from += 1000) {
                    JsonArray batch = new JsonArray();
                    for (int i = from; i < Math.min(n, from + 1000); i++) {
                        batch.add(TestDaemon.entry("lora", "soak-" + i + ".safetensors",
                                URI.create(storage.url("soak") + "?n=" + i), sha));
                    }
                    var r = api.call("POST", "/api/batch", batch.toString(),
                            Duration.ofSeconds(60));
                    if (r.status() != 202 && r.status() != 200) {
                        stage.report.fail(stage.name,
                                "batch answered " + r.status() + ": " + r.body());
                    }
                }
                Db db = new Db(dir.resolve("completed.db"));
                while (db.count("SELECT count(*) FROM jobs WHERE state IN"
                        + " ('completed', 'failed')") < n && !stage.overTime() && d.isAlive()) {
                    Nginx.sleep(500);
                }
                double secs = (System.nanoTime() - t0) / 1e9;
                poller.close();
                long completed = db.count("SELECT count(*) FROM jobs WHERE state = 'completed'");
                Snapshot end = Snapshot.of(d.pid());
                stage.check("downloads completed", completed + " of " + n, "all", completed == n);
                stage.info("downloads per second (add + download + verify + fsync + rename)",
                        String.format("%.1f", n / secs));
                stage.info("API polls answered / failed / slowest ms",
                        poller.ok + " / " + poller.failed + " / " + poller.slowest);
                stage.check("API polls failed", poller.failed.get(), "0", poller.failed.get() == 0);
                stage.info("events read by the listening client", events.get());
                stage.info("start: " + Snapshot.HEADER, start);
                stage.info("end:   " + Snapshot.HEADER, end);
                stage.check("heap after GC growth (KiB)", end.heapUsedKib() - start.heapUsedKib(),
                        "<= 16384", end.heapUsedKib() - start.heapUsedKib() <= 16_384);
                // flat means not growing with the downloads: the two event clients, pooled
                // keep-alive connections and the virtual-thread carriers come once (1,000
                // downloads: +8 fds, +4 threads; 10,000: +11, +5)
                stage.check("fd growth", end.fds() - start.fds(), "<= 16, not with the downloads",
                        end.fds() - start.fds() <= 16);
                stage.check("thread growth", end.threads() - start.threads(), "<= 8",
                        end.threads() - start.threads() <= 8);
                long stray = Disk.parts(dir.resolve("models")).size();
                stage.check("parts left", stray, "0", stray == 0);
                deaf.close();
                reader.interrupt();
            }
        }
    }

    private static void readEvents(int port, AtomicLong events) {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.getOutputStream().write(("GET /api/events HTTP/1.1\r\nHost: 127.0.0.1:" + port
                    + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            InputStream in = s.getInputStream();
            byte[] buf = new byte[8192];
            for (int r; (r = in.read(buf)) > 0;) {
                for (int i = 0; i < r; i++) {
                    if (buf[i] == '\n' && i > 0 && buf[i - 1] == '\n') {
                        events.incrementAndGet();
                    }
                }
            }
        } catch (IOException e) {
            // the run ended
        }
    }

    /** Polls status, the job list and metrics in turn every 100 ms until closed. */
    private static final class Poller {
        final AtomicInteger ok = new AtomicInteger();
        final AtomicInteger failed = new AtomicInteger();
        final AtomicLong slowest = new AtomicLong();
        private volatile boolean running = true;
        private final Thread thread;

        Poller(Api api) {
            thread = Thread.ofVirtual().start(() -> {
                List<String> paths = List.of("/api/status", "/api/jobs?limit=100", "/api/metrics",
                        "/api/jobs?state=completed&limit=20");
                for (int i = 0; running && i < 1_000_000; i++) {
                    long t = System.nanoTime();
                    var r = api.call("GET", paths.get(i % paths.size()), null,
                            Duration.ofSeconds(5));
                    slowest.accumulateAndGet((System.nanoTime() - t) / 1_000_000, Math::max);
                    (r.status() == 200 ? ok : failed).incrementAndGet();
                    Nginx.sleep(100);
                }
            });
        }

        void close() throws InterruptedException {
            running = false;
            thread.join(10_000);
        }
    }
}
