package civitai.daemon.events;

import civitai.daemon.log.Redactor;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The fan-out behind {@code /api/events}: every event becomes a numbered frame, kept in a bounded
 * replay buffer and offered to each subscriber's own bounded queue. Publishing never blocks: a
 * subscriber too slow to keep up is dropped, and on reconnecting with {@code Last-Event-ID} gets
 * what it missed from the buffer, or a {@code reset} frame when that is too old. At most
 * {@code maxSubscribers} at once, so idle streams cannot exhaust the heap. Thread-safe.
 */
public final class EventStream {
    public static final int REPLAY = 4096;
    /** The frame that tells a reconnecting subscriber its missed events are gone: fetch anew. */
    public static final String RESET = "reset";
    private static final int QUEUE = 4096;

    /**
     * One server-sent event; {@code id} 0 marks frames that are not numbered (reset). Its data is
     * rendered on first read, by a subscriber's thread: most frames of a 10,000-job batch leave
     * the replay buffer unread, and the publisher (an API request, a download) does not wait for
     * JSON and redaction.
     */
    public static final class Frame {
        private final long id;
        private final String name;
        private Supplier<String> render;  // null once rendered
        private String data;

        Frame(long id, String name, Supplier<String> render) {
            this.id = id;
            this.name = name;
            this.render = render;
        }

        public long id() {
            return id;
        }

        public String name() {
            return name;
        }

        public synchronized String data() {
            if (render != null) {
                data = render.get();
                render = null;
            }
            return data;
        }

        public String text() {
            return (id > 0 ? "id: " + id + "\n" : "") + "event: " + name + "\ndata: " + data()
                    + "\n\n";
        }
    }

    private final ArrayDeque<Frame> replay = new ArrayDeque<>();
    private final Set<Subscriber> subscribers = ConcurrentHashMap.newKeySet();
    private final int maxSubscribers;
    private long lastId;
    private volatile boolean closed;

    public EventStream(int maxSubscribers) {
        if (maxSubscribers < 1) {
            throw new IllegalArgumentException("maxSubscribers must be at least 1: "
                    + maxSubscribers);
        }
        this.maxSubscribers = maxSubscribers;
    }

    /** A subscriber of this stream; {@link #next} is called by one connection thread. */
    public final class Subscriber implements AutoCloseable {
        // grows only as frames wait
        private final BlockingQueue<Frame> queue = new LinkedBlockingQueue<>(QUEUE);
        private volatile boolean dropped;

        private void offer(Frame f) {
            if (!queue.offer(f)) {
                dropped = true;  // too slow: it reconnects and replays from its last id
                subscribers.remove(this);
            }
        }

        /** The next frame, null after {@code timeout} without one; empty when the stream ends. */
        public Optional<Frame> next(long timeout, TimeUnit unit)
                throws InterruptedException, Ended {
            if (dropped || closed) {
                throw new Ended();
            }
            return Optional.ofNullable(queue.poll(timeout, unit));
        }

        @Override
        public void close() {
            subscribers.remove(this);
        }
    }

    /** The stream ended for a subscriber: the daemon is stopping or the subscriber fell behind. */
    public static final class Ended extends Exception {
        private static final long serialVersionUID = 1L;
    }

    /** An event bus subscriber. */
    public void on(Event event) {
        Instant at = Instant.now();
        // a frame keeps only what its data shows: a queued job's URL (up to 16 KiB) is not in it
        Event kept = event instanceof Event.Queued q ? new Event.Queued(q.jobId(), q.target(), "")
                : event;
        publish(event.name(), () -> Redactor.urls(EventJson.of(kept, at)));
    }

    private void publish(String name, Supplier<String> data) {
        Frame frame;
        synchronized (this) {
            frame = new Frame(++lastId, name, data);
            replay.addLast(frame);
            if (replay.size() > REPLAY) {
                replay.removeFirst();
            }
            // under the lock, so each queue gets frames in order
            for (Subscriber s : subscribers) {
                s.offer(frame);
            }
        }
    }

    /**
     * Subscribes; with {@code lastEventId} the frames after it are queued first, or a
     * {@code reset} frame when they are no longer all in the buffer. Empty when
     * {@code maxSubscribers} are already subscribed.
     */
    public synchronized Optional<Subscriber> subscribe(Long lastEventId) {
        if (subscribers.size() >= maxSubscribers) {
            return Optional.empty();
        }
        Subscriber s = new Subscriber();
        if (lastEventId != null) {
            long oldest = replay.isEmpty() ? lastId + 1 : replay.peekFirst().id();
            if (lastEventId < oldest - 1 || lastEventId > lastId) {
                s.offer(new Frame(0, RESET, () -> "{\"reason\":\"events since " + lastEventId
                        + " are no longer kept; fetch /api/status and /api/jobs again\"}"));
            } else {
                for (Frame f : replay) {
                    if (f.id() > lastEventId) {
                        s.offer(f);
                    }
                }
            }
        }
        subscribers.add(s);
        return Optional.of(s);
    }

    /** Subscribers right now. */
    public int subscriberCount() {
        return subscribers.size();
    }

    /** Ends every subscription. */
    public void close() {
        closed = true;
    }
}
