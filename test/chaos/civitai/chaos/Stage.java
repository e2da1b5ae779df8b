package civitai.chaos;

import civitai.daemon.testing.ChildDaemon;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * What one scenario runs with: its own random source (seeded from the run's seed and the
 * scenario's name, so each replays alone), its folder, its deadline, the report, and the
 * children it starts (recorded in build/chaos/pids for the script's trap, killed at the end).
 */
final class Stage implements AutoCloseable {
    final String name;
    final Mode mode;
    final Random random;
    final Report report;
    final Path dir;
    private final long deadlineNanos;
    private final Path pids;
    private final List<AutoCloseable> children = new ArrayList<>();

    Stage(String name, Mode mode, long seed, Report report, Path root, Duration budget)
            throws IOException {
        this.name = name;
        this.mode = mode;
        this.random = new Random(seed ^ name.hashCode());
        this.report = report;
        this.dir = root.resolve("work").resolve(name);
        this.deadlineNanos = System.nanoTime() + budget.toNanos();
        this.pids = root.resolve("pids");
        Files.createDirectories(dir);
    }

    /** True once the scenario's share of the time budget is spent: loops end there. */
    boolean overTime() {
        return System.nanoTime() - deadlineNanos > 0;
    }

    Duration left() {
        return Duration.ofNanos(Math.max(0, deadlineNanos - System.nanoTime()));
    }

    /** Starts the daemon jar on {@code config} (as a user does), tracked until the stage closes. */
    ChildDaemon daemon(Path config, String outputName, List<String> prefix) {
        ChildDaemon child = prefix.isEmpty() ? ChildDaemon.start(config, dir.resolve(outputName))
                : ChildDaemon.startWithFileSizeLimit(config, dir.resolve(outputName),
                        Long.parseLong(prefix.get(0)));
        track(child.pid(), child);
        return child;
    }

    void track(long pid, AutoCloseable child) {
        children.add(child);
        try {
            Files.writeString(pids, pid + "\n", StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    void info(String figure, Object value) {
        report.info(name, figure, value);
    }

    /** A target the run reports against without failing on a miss. */
    void goal(String figure, Object value, String target, boolean met) {
        report.goal(name, figure, value, target, met);
    }

    void check(String figure, Object value, String target, boolean ok) {
        report.check(name, figure, value, target, ok);
    }

    @Override
    public void close() {
        for (int i = children.size() - 1; i >= 0; i--) {
            try {
                children.get(i).close();
            } catch (Exception e) {
                report.fail(name, "closing a child: " + e);
            }
        }
    }
}
