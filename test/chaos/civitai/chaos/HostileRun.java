package civitai.chaos;

import civitai.daemon.testing.ChildDaemon;
import civitai.daemon.testing.Db;
import civitai.daemon.testing.FakeCivitai;
import civitai.daemon.testing.FakeStorage;
import civitai.daemon.testing.TestDaemon;
import com.eclipsesource.json.JsonObject;
import com.eclipsesource.json.WriterConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Hostile clients against the daemon's default caps: generated hostile requests (half with auth
 * off, half with a jwt_secret so tokens are judged), then event-stream clients and slow clients
 * held open at once, with /healthz probed every 200 ms throughout. Zero 5xx (but the designed 503
 * of an event stream over max_event_clients), zero files outside download_dir, the database
 * consistent afterwards.
 */
final class HostileRun {
    private static final String SECRET = "chaos-secret-0123456789abcdef0123456789";

    private HostileRun() {}

    static void run(Stage stage) throws Exception {
        try (FakeStorage storage = new FakeStorage(); FakeCivitai civitai =
                new FakeCivitai(storage)) {
            Path open = stage.dir.resolve("auth-off");
            Path auth = stage.dir.resolve("auth-on");
            int half = stage.mode.hostileRequests() / 2;
            int healthPort = freePort();
            try (ChildDaemon d = start(stage, open, civitai, null, healthPort)) {
                int port = d.awaitPort();
                hostile(stage, "auth off", port, half, null);
                floods(stage, port, healthPort, d);
                alive(stage, "auth off", d, port);
            }
            try (ChildDaemon d = start(stage, auth, civitai, SECRET, 0)) {
                int port = d.awaitPort();
                hostile(stage, "auth on", port, stage.mode.hostileRequests() - half, SECRET);
                alive(stage, "auth on", d, port);
            }
            for (Path dir : List.of(open, auth)) {
                String integrity = (String) new Db(dir.resolve("completed.db"))
                        .one("PRAGMA integrity_check").values().iterator().next();
                stage.check("integrity_check (" + dir.getFileName() + ")", integrity, "ok",
                        "ok".equals(integrity));
            }
            escaped(stage, List.of(open, auth));
        }
    }

    private static ChildDaemon start(Stage stage, Path dir, FakeCivitai civitai, String secret,
            int healthPort) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("manifest.json"), "[]");
        JsonObject c = TestDaemon.testConfig(civitai).set("update_interval_hours", 0)
                .set("retries", 0).set("health_port", healthPort);
        if (secret != null) {
            c.set("jwt_secret", secret);
        }
        for (String key : List.of("max_connections", "max_event_clients", "request_timeout")) {
            String override = System.getenv("CHAOS_" + key.toUpperCase(Locale.ROOT));
            if (override != null) {  // to measure other caps than the defaults
                c.set(key, Integer.parseInt(override));
                stage.info(key + " (overridden for this run)", override);
            }
        }
        Files.writeString(dir.resolve("config.json"), c.toString(WriterConfig.PRETTY_PRINT));
        return stage.daemon(dir.resolve("config.json"), dir.getFileName() + ".out", List.of());
    }

    private static void hostile(Stage stage, String label, int port, int count, String secret)
            throws Exception {
        Map<String, Map<Integer, Integer>> tally = new ConcurrentHashMap<>();
        AtomicInteger sent = new AtomicInteger();
        long seed = stage.random.nextLong();
        try (HealthProbe probe = new HealthProbe(port)) {
            List<Thread> senders = new ArrayList<>();
            int threads = 16;
            for (int t = 0; t < threads; t++) {
                Random r = new Random(seed + t);
                int share = count / threads + (t < count % threads ? 1 : 0);
                senders.add(Thread.ofVirtual().start(() -> {
                    HostileRequests gen = new HostileRequests(r, port, secret);
                    // bounded by count; each request by its 15 s timeout
                    for (int i = 0; i < share; i++) {
                        var h = gen.next();
                        int status = RawHttp.send(port, h.bytes(), 15_000);
                        tally.computeIfAbsent(h.kind(), k -> new TreeMap<>())
                                .merge(status, 1, Integer::sum);
                        sent.incrementAndGet();
                    }
                }));
            }
            for (Thread t : senders) {
                t.join();
            }
            stage.check("hostile requests sent (" + label + ")", sent.get(), ">= " + count,
                    sent.get() >= count);
            int fiveXx = 0;
            int unanswered = 0;
            for (var e : new TreeMap<>(tally).entrySet()) {
                stage.info("answers to " + e.getKey() + " (" + label + ")", e.getValue());
                for (var s : e.getValue().entrySet()) {
                    fiveXx += s.getKey() >= 500 ? s.getValue() : 0;
                    unanswered += s.getKey() <= 0 ? s.getValue() : 0;
                }
            }
            stage.check("5xx answers (" + label + ")", fiveXx, "0", fiveXx == 0);
            stage.info("closed without an answer (" + label + ")", unanswered);
            stage.check("/healthz answered during hostile requests (" + label + ")", probe.figure(),
                    "all", probe.missed.get() == 0);
        }
    }

    /**
     * Event-stream clients and slow clients held open together, /healthz probed throughout on the
     * API's port and on the health port.
     */
    private static void floods(Stage stage, int port, int healthPort, ChildDaemon d)
            throws Exception {
        List<Socket> held = new ArrayList<>();
        Map<Integer, Integer> sse = new TreeMap<>();
        int hold = stage.mode.name().equals("long") ? 60 : 25;
        Snapshot before = Snapshot.of(d.pid());
        try (HealthProbe probe = new HealthProbe(port); HealthProbe healthProbe =
                new HealthProbe(healthPort)) {
            byte[] events = ("GET /api/events HTTP/1.1\r\nHost: 127.0.0.1:" + port
                    + "\r\nAccept: text/event-stream\r\n\r\n")
                            .getBytes(StandardCharsets.ISO_8859_1);
            for (int i = 0; i < stage.mode.eventClients() && !stage.overTime(); i++) {
                Socket s = connect(port);
                if (s == null) {
                    sse.merge(-1, 1, Integer::sum);
                    continue;
                }
                held.add(s);
                int status;
                try {
                    s.setSoTimeout(3000);
                    s.getOutputStream().write(events);
                    status = RawHttp.status(s.getInputStream());
                } catch (IOException e) {
                    status = -1;
                }
                sse.merge(status, 1, Integer::sum);
            }
            stage.info("event-stream clients by answer (max_event_clients default 1000)", sse);
            long sseFiveXx = sse.entrySet().stream()
                    .filter(e -> e.getKey() >= 500 && e.getKey() != 503)
                    .mapToLong(Map.Entry::getValue).sum();
            stage.check("event-stream 5xx other than the cap's 503", sseFiveXx, "0",
                    sseFiveXx == 0);
            Slowloris slow = new Slowloris(port, stage.mode.slowClients());
            slow.open(stage);
            long end = System.nanoTime() + Duration.ofSeconds(hold).toNanos();
            while (System.nanoTime() < end && !stage.overTime()) {
                slow.drip();
                Nginx.sleep(1000);
            }
            Snapshot during = Snapshot.of(d.pid());
            stage.info("slow clients opened / refused at connect / cut by the daemon within " + hold
                    + " s", slow.opened + " / " + slow.refused + " / " + slow.cut);
            stage.info("daemon during the floods: " + Snapshot.HEADER, during);
            // a goal, not a gate: beyond max_connections new connections (the probe's too) are
            // closed at accept until request_timeout cuts the slow ones (see RELIABILITY.md)
            stage.goal("/healthz on the API port answered during " + stage.mode.eventClients()
                    + " event-stream + " + stage.mode.slowClients() + " slow clients",
                    probe.figure(), "all", probe.missed.get() == 0);
            stage.check("/healthz on health_port answered during the same floods",
                    healthProbe.figure(), "all", healthProbe.missed.get() == 0
                    && healthProbe.answered.get() > 0);
            slow.close();
            stage.info("daemon before the floods: " + Snapshot.HEADER, before);
        } finally {
            for (Socket s : held) {
                s.close();
            }
        }
    }

    private static int freePort() throws IOException {
        try (var s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    static Socket connect(int port) {
        Socket s = new Socket();
        try {
            s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
            return s;
        } catch (IOException e) {
            try {
                s.close();
            } catch (IOException ignored) {
                // nothing to close
            }
            return null;
        }
    }

    private static void alive(Stage stage, String label, ChildDaemon d, int port) {
        boolean up = d.isAlive() && new Api(port).get("/healthz").status() == 200;
        stage.check("daemon alive and answering at the end (" + label + ")", up, "true", up);
        if (!d.isAlive()) {
            stage.report.fail(stage.name, "the daemon died: "
                    + d.output().lines().filter(l -> !l.startsWith("WARNING"))
                    .reduce("", (a, b) -> a.length() > 2000 ? a : a + "\n" + b));
        }
    }

    /** No file named after the traversal marker anywhere it could have escaped to. */
    private static void escaped(Stage stage, List<Path> dirs) throws IOException {
        List<Path> found = new ArrayList<>();
        for (Path root : List.of(stage.dir.getParent(), Path.of("/tmp"), Path.of("/etc"))) {
            try (var s = Files.find(root, 6, (p, a) -> p.getFileName() != null
                    && p.getFileName().toString().contains(HostileRequests.MARK)
                    && dirs.stream().noneMatch(d ->
                            p.toAbsolutePath().startsWith(d.toAbsolutePath().resolve("models"))))) {
                s.forEach(found::add);
            } catch (IOException | UncheckedIOException e) {
                // an unreadable corner: skip it
            }
        }
        for (Path dir : dirs) {
            for (Path f : Disk.files(dir)) {
                String rel = dir.relativize(f).toString();
                if (!rel.startsWith("models/") && !rel.startsWith("logs/") && !rel.matches(
                        "(config\\.json|manifest\\.json(\\.bak)?|completed\\.db(-wal|-shm)?"
                                + "|[a-z-]+\\.out)")) {
                    found.add(f);
                }
            }
        }
        stage.check("files outside download_dir (traversal marker or unexpected)", found.size(),
                "0", found.isEmpty());
        found.stream().limit(10).forEach(f -> stage.report.fail(stage.name, "escaped file: " + f));
    }
}
