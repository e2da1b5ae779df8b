package civitai.daemon.cli;

import com.eclipsesource.json.JsonObject;
import com.eclipsesource.json.JsonValue;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * {@code status}: the daemon's version, job counts and active downloads with progress bars.
 * {@code status --watch} follows {@code /api/events} and redraws the same screen in place on each
 * event (at most a few times a second), until the daemon closes the stream or the user presses
 * Ctrl-C.
 */
final class StatusCommand {
    private static final long MIN_REDRAW_MILLIS = 250;
    private static final long IDLE_REDRAW_SECONDS = 5;  // speeds and uptime move even without events
    private static final String HOME = "\033[H";
    private static final String CLEAR_LINE = "\033[K";
    private static final String CLEAR_BELOW = "\033[J";

    private final Session session;

    StatusCommand(Session session) {
        this.session = session;
    }

    int run(Args a) throws Failure {
        a.positional(0, "");
        DaemonClient client = session.client(a);
        if (a.flag("--watch")) {
            return watch(client);
        }
        JsonObject status = client.get("/api/status");
        if (a.json()) {
            session.printJson(status);
        } else {
            session.out().print(render(status, client));
        }
        return Cli.OK;
    }

    static String render(JsonObject s, DaemonClient client) {
        StringBuilder out = new StringBuilder();
        out.append(Views.text(s, "name", "civitai-daemon")).append(' ').append(Views.text(s, "version", "?"))
                .append(" at ").append(client.target().base())
                .append("  up ").append(Format.duration(Views.number(s, "uptime_seconds")))
                .append("  workers ").append(Views.text(s, "workers", "?")).append('\n');
        StringBuilder counts = new StringBuilder();
        for (JsonObject.Member m : Views.object(s, "jobs")) {
            if (m.getValue().isNumber() && m.getValue().asDouble() == 0) {
                continue;
            }
            counts.append(counts.isEmpty() ? "" : ", ").append(m.getValue()).append(' ').append(m.getName());
        }
        out.append("jobs: ").append(counts.isEmpty() ? "none" : counts).append('\n');
        JsonObject manifest = Views.object(s, "manifest");
        if (Views.text(manifest, "error") != null) {
            out.append("manifest ").append(Views.text(manifest, "path", "")).append(": ")
                    .append(Views.text(manifest, "error")).append('\n');
        }
        var active = Views.array(s, "active");
        if (active.isEmpty()) {
            return out.append("no active downloads\n").toString();
        }
        out.append("downloading at ").append(Format.speed(Views.number(s, "bytes_per_second"))).append(":\n");
        Table t = new Table(">ID", "TYPE", "PROGRESS", ">SPEED", ">ETA", "FILE");
        for (JsonValue v : active) {
            JsonObject d = v.asObject();
            long bytes = Views.number(d, "bytes") == null ? 0 : Views.number(d, "bytes");
            t.row(Views.text(d, "id", "?"), Views.text(d, "model_type", ""), Format.bar(bytes, Views.number(d, "total")),
                    Format.speed(Views.number(d, "bytes_per_second")), Format.duration(Views.number(d, "eta_seconds")),
                    Views.text(d, "filename", "(name not known yet)"));
        }
        return out.append(t.render()).toString();
    }

    /** Redraws on each event; returns when the stream ends (the daemon stopped): exit 3. */
    private int watch(DaemonClient client) throws Failure {
        InputStream events = client.events();
        BlockingQueue<Boolean> signals = new LinkedBlockingQueue<>();  // true: an event, false: the end
        Thread reader = Thread.ofVirtual().name("watch-events").start(() -> read(events, signals));
        try {
            draw(client);
            while (true) {
                Boolean signal = signals.poll(IDLE_REDRAW_SECONDS, TimeUnit.SECONDS);
                long quietUntil = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(MIN_REDRAW_MILLIS);
                while (signal != Boolean.FALSE && System.nanoTime() < quietUntil) {
                    Boolean more = signals.poll(quietUntil - System.nanoTime(), TimeUnit.NANOSECONDS);
                    signal = more == null ? signal : more;  // gather a burst of events into one redraw
                }
                if (signal == Boolean.FALSE) {
                    throw Failure.unreachable("the daemon at " + client.target().base() + " closed the event stream"
                            + " (it stopped or restarted)");
                }
                draw(client);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Cli.OK;
        } finally {
            reader.interrupt();
            try {
                events.close();
            } catch (IOException e) {
                // closing a stream that already ended
            }
        }
    }

    private void draw(DaemonClient client) throws Failure {
        String screen = render(client.get("/api/status"), client);
        StringBuilder out = new StringBuilder(HOME);
        screen.lines().forEach(line -> out.append(line).append(CLEAR_LINE).append('\n'));
        session.out().print(out.append(CLEAR_BELOW));
        session.out().flush();
    }

    /** Signals each event (a blank line ends one) until the stream ends. */
    private static void read(InputStream events, BlockingQueue<Boolean> signals) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(events, StandardCharsets.UTF_8))) {
            boolean inEvent = false;
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                if (line.isEmpty() && inEvent) {
                    signals.add(true);
                }
                inEvent = line.startsWith("data:") || (inEvent && !line.isEmpty());
            }
        } catch (IOException e) {
            // the connection broke: the same as the end of the stream
        } finally {
            signals.add(false);
        }
    }
}
