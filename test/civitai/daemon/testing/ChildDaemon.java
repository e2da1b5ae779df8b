package civitai.daemon.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The daemon as users run it: {@code java -jar civitai-daemon.jar --config FILE} in a child JVM,
 * so tests can kill it with SIGKILL or stop it with SIGTERM and read its exit code.
 */
public final class ChildDaemon implements AutoCloseable {
    private static final Pattern LISTENING =
            Pattern.compile("listening on http://127\\.0\\.0\\.1:(\\d+)");

    private final Process process;
    private final Path output;

    private ChildDaemon(Process process, Path output) {
        this.process = process;
        this.output = output;
    }

    /** Starts the jar on {@code config}; stdout and stderr go to {@code output}. */
    public static ChildDaemon start(Path config, Path output) {
        return start(config, output, List.of());
    }

    /**
     * Starts the jar with no file allowed to grow past {@code kib} KiB ({@code ulimit -f}): the
     * JVM ignores SIGXFSZ, so a write past the limit fails the way a full disk does.
     */
    public static ChildDaemon startWithFileSizeLimit(Path config, Path output, long kib) {
        return start(config, output, List.of("bash", "-c",
                "ulimit -f " + kib + " && exec \"$0\" \"$@\""));
    }

    private static ChildDaemon start(Path config, Path output, List<String> prefix) {
        String java = System.getenv().getOrDefault("JAVA_BIN",
                ProcessHandle.current().info().command().orElse("java"));
        String jar = System.getenv().getOrDefault("DAEMON_JAR", "build/civitai-daemon.jar");
        List<String> command = new ArrayList<>(prefix);
        command.add(java);
        Path options = Path.of("lib/jvm.options").toAbsolutePath();
        if (Files.exists(options)) {  // the options `make run` and the launcher use
            command.add("@" + options);
        }
        command.addAll(List.of("-jar", Path.of(jar).toAbsolutePath().toString(), "--config",
                config.toString()));
        try {
            Process p = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(output.toFile())
                    .start();
            return new ChildDaemon(p, output);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Waits for the "listening on" line and returns the port. */
    public int awaitPort() {
        int[] port = new int[1];
        Poll.until(Duration.ofSeconds(30), () -> {
            Matcher m = LISTENING.matcher(output());
            if (m.find()) {
                port[0] = Integer.parseInt(m.group(1));
                return true;
            }
            if (!process.isAlive()) {
                throw new AssertionError("daemon exited with " + process.exitValue() + ":\n"
                        + output());
            }
            return false;
        }, () -> "the daemon to listen; it printed:\n" + output());
        return port[0];
    }

    public String output() {
        try {
            return Files.readString(output);
        } catch (IOException e) {
            return "";
        }
    }

    public void kill9() {
        process.destroyForcibly();  // SIGKILL on Linux
        awaitExit(Duration.ofSeconds(10));
    }

    public void sigterm() {
        process.destroy();  // SIGTERM on Linux
    }

    /** The exit code, waiting at most {@code timeout}. */
    public int awaitExit(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("the daemon did not exit within " + timeout + ":\n"
                        + output());
            }
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** The process id, for /proc, jcmd and kill. */
    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
