package civitai.daemon.testing;

import civitai.daemon.auth.Jwt;
import civitai.daemon.auth.Role;
import com.eclipsesource.json.JsonArray;
import com.eclipsesource.json.JsonObject;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * What the browser tests (test/e2e) run against: the fake storage host, the fake Civitai and a real
 * daemon on 127.0.0.1 with its data in a temp folder. Prints one JSON line with the URLs (and
 * tokens, with {@code --jwt}), then serves until its stdin closes, it reads {@code quit}, or
 * {@code --lifetime} seconds pass (600 by default), and deletes its folder.
 * <pre>
 *   java -cp build/test-classes:build/classes:lib/... civitai.daemon.testing.E2eFixture [--jwt] [--port N] [--behind-proxy HOST]
 * </pre>
 * {@code --port N} puts the daemon on a fixed port, for a reverse proxy configured in advance.
 * {@code --behind-proxy HOST} configures the daemon as deploy/nginx's comments say for a proxy on
 * this machine: {@code HOST} in {@code allowed_hosts} (without a jwt_secret the daemon answers no
 * other names) and {@code 127.0.0.1} in {@code trusted_proxies}.
 * Commands on stdin: {@code pace <bytes per second>} (0: full speed), {@code quit}.
 */
public final class E2eFixture {
    /** Files on the storage host big enough to watch: they take a while at the default pace. */
    static final int BIG = 24 << 20;
    static final long PACE = 3 << 20;

    private E2eFixture() {}

    public static void main(String[] args) throws Exception {
        boolean jwt = false;
        int port = 0;
        long lifetime = 600;
        JsonArray proxiedHosts = new JsonArray();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--jwt" -> jwt = true;
                case "--port" -> port = Integer.parseInt(args[++i]);
                case "--lifetime" -> lifetime = Long.parseLong(args[++i]);
                case "--behind-proxy" -> proxiedHosts.add(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        Path dir = Files.createTempDirectory("civitai-e2e-");
        try (FakeStorage storage = new FakeStorage(); FakeCivitai civitai = new FakeCivitai(storage)) {
            storage.pace(PACE);
            JsonObject config = TestDaemon.testConfig(civitai).set("active_port", port).set("workers", 3)
                    .set("update_interval_hours", 0);
            String secret = "e2e-secret-" + Long.toHexString(new java.security.SecureRandom().nextLong()) + "-0123456789";
            if (jwt) {
                config.set("jwt_secret", secret);
            }
            if (!proxiedHosts.isEmpty()) {
                config.set("allowed_hosts", proxiedHosts).set("trusted_proxies", new JsonArray().add("127.0.0.1"));
            }
            try (TestDaemon daemon = TestDaemon.start(dir, config, new JsonArray())) {
                System.out.println(describe(daemon, civitai, storage, jwt ? secret : null));
                System.out.flush();
                serve(storage, Duration.ofSeconds(lifetime));
            }
        } finally {
            delete(dir);
        }
        System.exit(0);  // the daemon's and fakes' executors hold no state worth waiting for
    }

    private static String describe(TestDaemon daemon, FakeCivitai civitai, FakeStorage storage, String secret) {
        JsonObject out = new JsonObject()
                .add("base", "http://127.0.0.1:" + daemon.port() + "/")
                .add("civitai", civitai.base().toString())
                .add("dir", daemon.dir().toString());
        JsonArray big = new JsonArray();
        for (int i = 1; i <= 4; i++) {
            big.add(storage.put("big-" + i + ".safetensors", Bytes.random(BIG, 100 + i)).toString());
        }
        out.add("big", big);
        if (secret != null) {
            Jwt now = new Jwt(secret, Clock.systemUTC());
            Jwt past = new Jwt(secret, Clock.offset(Clock.systemUTC(), Duration.ofHours(-3)));
            out.add("tokens", new JsonObject()
                    .add("admin", now.sign(Role.ADMIN, Duration.ofHours(1)))
                    .add("viewer", now.sign(Role.VIEWER, Duration.ofHours(1)))
                    .add("expired", past.sign(Role.ADMIN, Duration.ofHours(1))));
        }
        return out.toString();
    }

    /** Reads commands until stdin ends, {@code quit}, or the lifetime is over. */
    private static void serve(FakeStorage storage, Duration lifetime) throws InterruptedException {
        Thread reader = Thread.ofPlatform().daemon().start(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null && !line.strip().equals("quit"); ) {
                    String[] words = line.strip().split("\\s+");
                    if (words.length == 2 && words[0].equals("pace")) {
                        storage.pace(Long.parseLong(words[1]));
                        System.out.println("{\"ok\":\"" + line.strip() + "\"}");
                        System.out.flush();
                    }
                }
            } catch (IOException | RuntimeException e) {
                System.err.println("e2e fixture: " + e);
            }
        });
        reader.join(lifetime);
    }

    private static void delete(Path dir) throws IOException {
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
