package civitai.daemon.log;

import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * The daemon's two logs: {@code download.log} holds every line (each job event among them) and
 * {@code error.log} only warnings and errors; both rotate by size. Every line passes the
 * {@link Redactor} first and is echoed to the console. Thread-safe. A failing log write goes to the
 * console, never to the caller.
 */
public final class DaemonLog implements AutoCloseable {
    public enum Level { INFO, WARN, ERROR }

    private final RotatingFile downloads;
    private final RotatingFile errors;
    private final Redactor redactor;
    private final Clock clock;
    private final PrintStream console;
    private final Repeats repeats = new Repeats(60_000_000_000L);

    public DaemonLog(Path dir, long maxBytes, int keep, Redactor redactor, Clock clock,
            PrintStream console) throws IOException {
        this.downloads = new RotatingFile(dir.resolve("download.log"), maxBytes, keep);
        this.errors = new RotatingFile(dir.resolve("error.log"), maxBytes, keep);
        this.redactor = redactor;
        this.clock = clock;
        this.console = console;
    }

    /** A job event: {@code event} is one word (queued, started, retry, completed, failed, ...). */
    public void job(long jobId, String event, String message) {
        write(Level.INFO, "job " + jobId + " " + event + ": " + message);
    }

    /** A job event that is also a warning (a retry) or an error (a failure). */
    public void job(Level level, long jobId, String event, String message) {
        write(level, "job " + jobId + " " + event + ": " + message);
    }

    /** {@code text} with the secrets masked, for API answers that show what the logs would. */
    public String redact(String text) {
        return redactor.redact(text);
    }

    public void info(String message) {
        write(Level.INFO, message);
    }

    public void warn(String message) {
        write(Level.WARN, message);
    }

    /**
     * An {@link Explained} cause (anywhere in the chain) is one line, repeated at most once a
     * minute.
     */
    public void error(String message, Throwable cause) {
        for (Throwable c = cause; c != null; c = c.getCause()) {
            if (c instanceof Explained explained) {
                String line = message + ": " + explained.getMessage();
                if (repeats.allow(line)) {
                    write(Level.ERROR, line);
                }
                return;
            }
        }
        StringWriter trace = new StringWriter();
        cause.printStackTrace(new PrintWriter(trace));
        write(Level.ERROR, message + "\n" + trace.toString().stripTrailing());
    }

    private void write(Level level, String message) {
        String line = Instant.now(clock).truncatedTo(ChronoUnit.MILLIS) + " " + level + " "
                + redactor.redact(message);
        try {
            downloads.append(line);
            if (level != Level.INFO) {
                errors.append(line);
            }
        } catch (IOException e) {
            console.println("cannot write log: " + e.getMessage());
        }
        console.println(line);
    }

    @Override
    public void close() throws IOException {
        try (errors) {
            downloads.close();
        }
    }
}
