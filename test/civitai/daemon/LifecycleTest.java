package civitai.daemon;

import static civitai.daemon.testing.TestDaemon.entry;
import static civitai.daemon.testing.TestDaemon.manifest;

import civitai.daemon.testing.Bytes;
import civitai.daemon.testing.DaemonTest;
import civitai.daemon.testing.Poll;
import civitai.daemon.testing.TestDaemon;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** A stop ends every thread the daemon started: scheduler, HTTP client, webhooks, sidecars. */
class LifecycleTest extends DaemonTest {
    private static Set<String> platformThreads() {
        Set<String> names = new TreeSet<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.isAlive()) {
                names.add(t.getName() + "#" + t.threadId());
            }
        }
        return names;
    }

    @Test
    void close_endsEveryThreadTheDaemonStarted() {
        TestDaemon.testConfig(civitai);  // the test's own HTTP client exists before the snapshot
        Set<String> before = platformThreads();
        byte[] content = Bytes.random(100_000, 3);
        start(manifest(entry("lora", "a.safetensors", storage.put("a", content),
                Bytes.sha256(content))));
        daemon.await(daemon.idOf("a.safetensors"), "completed");
        daemon.stop();
        Poll.until(() -> daemonsThreads(before).isEmpty(),
                () -> "the daemon's threads to end; still alive: " + daemonsThreads(before));
    }

    /**
     * Threads started since {@code before}, less the JVM's own (virtual-thread carriers and the
     * like).
     */
    private static Set<String> daemonsThreads(Set<String> before) {
        Set<String> left = platformThreads();
        left.removeAll(before);
        left.removeIf(n -> n.startsWith("ForkJoinPool") || n.startsWith("Common-Cleaner")
                || n.startsWith("process reaper") || n.startsWith("Attach Listener")
                || n.startsWith("VirtualThread-unblocker"));
        return left;
    }
}
