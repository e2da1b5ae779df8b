package civitai.daemon.cli.session;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A screen that follows {@code /api/events}: drawn once, then again on each event (a burst of
 * events is one redraw, at most a few a second, and at least every few seconds), until a frame says
 * it is the last, the daemon closes the stream, or the user presses Ctrl-C. The stream is opened
 * before the first frame is drawn, so no change between the two is missed. Not thread-safe.
 */
public final class LiveScreen {
    private static final long MIN_REDRAW_MILLIS = 250;
    // speeds and uptime move even without events
    private static final long IDLE_REDRAW_SECONDS = 5;
    private static final String HOME = "\033[H";
    private static final String CLEAR_LINE = "\033[K";
    private static final String CLEAR_BELOW = "\033[J";

    /**
     * Where frames go: the terminal's top (a dashboard), under what was printed before, or nowhere.
     */
    public enum Placement { TOP, BELOW, HIDDEN }

    /** One drawing, and whether nothing more will change. */
    public record Frame(String text, boolean last) {}

    /** Makes each frame from the daemon's current answers; called on the caller's thread. */
    @FunctionalInterface
    public interface Frames {
        Frame next() throws Failure;
    }

    private final Session session;
    private final Placement placement;
    private int linesDrawn;

    public LiveScreen(Session session, Placement placement) {
        this.session = session;
        this.placement = placement;
    }

    /**
     * Draws frames until the last one, which it returns; null when interrupted (Ctrl-C). The stream
     * ending first is a {@link Failure} (exit 3): the daemon stopped or restarted.
     */
    public Frame follow(DaemonClient client, Frames frames) throws Failure {
        InputStream events = client.events();
        // true: an event, false: the end
        BlockingQueue<Boolean> signals = new LinkedBlockingQueue<>();
        Thread reader = Thread.ofVirtual().name("watch-events").start(() -> read(events, signals));
        try {
            Frame frame = draw(frames.next());
            while (!frame.last()) {
                if (!awaitEvents(signals)) {
                    throw Failure.unreachable("the daemon at " + client.target().base()
                            + " closed the event stream (it stopped or restarted)");
                }
                frame = draw(frames.next());
            }
            return frame;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } finally {
            reader.interrupt();
            try {
                events.close();
            } catch (IOException e) {
                // closing a stream that already ended
            }
        }
    }

    /**
     * Waits for an event (or the idle redraw) and the rest of its burst; false when the stream
     * ended.
     */
    private static boolean awaitEvents(BlockingQueue<Boolean> signals) throws InterruptedException {
        Boolean signal = signals.poll(IDLE_REDRAW_SECONDS, TimeUnit.SECONDS);
        long quietUntil = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(MIN_REDRAW_MILLIS);
        while (signal != Boolean.FALSE && System.nanoTime() < quietUntil) {
            Boolean more = signals.poll(quietUntil - System.nanoTime(), TimeUnit.NANOSECONDS);
            signal = more == null ? signal : more;  // gather a burst of events into one redraw
        }
        return signal != Boolean.FALSE;
    }

    private Frame draw(Frame frame) {
        if (placement == Placement.HIDDEN) {
            return frame;
        }
        // BELOW: back up over the previous frame (\033[nF: n lines up, to their start), then
        // overwrite it
        StringBuilder out = new StringBuilder(placement == Placement.TOP ? HOME
                : linesDrawn > 0 ? "\033[" + linesDrawn + "F" : "");
        frame.text().lines().forEach(line -> out.append(line).append(CLEAR_LINE).append('\n'));
        linesDrawn = (int) frame.text().lines().count();
        session.out().print(out.append(CLEAR_BELOW));
        session.out().flush();
        return frame;
    }

    /** Signals each event (a blank line ends one) until the stream ends. */
    private static void read(InputStream events, BlockingQueue<Boolean> signals) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(events,
                StandardCharsets.UTF_8))) {
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
