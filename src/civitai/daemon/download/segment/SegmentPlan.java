package civitai.daemon.download.segment;

import civitai.daemon.store.journal.ByteRanges;
import java.net.URI;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * The shared state of one segmented attempt: the segments still to fetch (idle connections take
 * waiting ones first, then split the one with the most left — work stealing), how many connections
 * may run (halved by a 429/503), the URL all of them use, and how the attempt ends. Thread-safe.
 * {@code E} is the engine's reason for an early end; the plan only keeps the first one.
 */
public final class SegmentPlan<E> {

    /** A segment is split only when its writer needs longer than this for the rest. */
    public static final long STEAL_WORTH_NANOS = TimeUnit.SECONDS.toNanos(2);
    /** A writer's speed counts once it has written for this long. */
    private static final long MEASURE_NANOS = TimeUnit.MILLISECONDS.toNanos(300);

    private final Deque<Segment> waiting = new ArrayDeque<>();
    private final List<Segment> all = new ArrayList<>();
    private final Map<Long, Long> before;  // ranges on disk (and journalled) before this attempt
    private final long minSteal;
    private int allowed;
    private int running;
    private URI url;
    private E end;

    /**
     * {@code segments} wait for connections; {@code assigned} (may be null) is the first
     * connection's.
     */
    public SegmentPlan(Segment assigned, List<Segment> segments, Map<Long, Long> before,
            long minSteal, int connections, URI url) {
        waiting.addAll(segments);
        if (assigned != null) {
            all.add(assigned);
        }
        all.addAll(segments);
        this.before = new TreeMap<>(before);
        this.minSteal = minSteal;
        this.allowed = connections;
        this.url = url;
    }

    /** A connection starts; false when the plan allows no more. */
    public synchronized boolean join() {
        if (running >= allowed || end != null) {
            return false;
        }
        running++;
        return true;
    }

    /** A connection stops, giving back the segment it held (null: none). */
    public synchronized void leave(Segment unfinished) {
        running--;
        if (unfinished != null && !unfinished.finished()) {
            waiting.addFirst(unfinished);
        }
        notifyAll();
    }

    public synchronized int running() {
        return running;
    }

    /** True when this connection should leave because the plan was halved. */
    public synchronized boolean overLimit() {
        return running > allowed;
    }

    /** A 429 or 503: half as many connections from now on (at least one). */
    public synchronized void halve() {
        allowed = Math.max(1, Math.min(allowed, running) / 2);
    }

    /**
     * The next segment for an idle connection: a waiting one, else the back half of the largest
     * remainder, unless its writer's speed says it ends within {@link #STEAL_WORTH_NANOS}. A split
     * costs what the host sends past the new end before the writer gets there (nginx's limit_rate
     * sends a second's worth at once), more than it saves on a segment about to finish.
     */
    public synchronized Segment next() {
        if (end != null) {
            return null;
        }
        Segment s = waiting.poll();
        if (s != null) {
            return s;
        }
        long now = System.nanoTime();
        Segment largest = null;
        for (Segment candidate : all) {
            long left = candidate.nanosLeft(now, MEASURE_NANOS);  // -1: no speed to go by yet
            boolean endingSoon = left >= 0 && left < STEAL_WORTH_NANOS;
            if (!endingSoon && (largest == null || candidate.remaining() > largest.remaining())) {
                largest = candidate;
            }
        }
        Segment back = largest == null ? null : largest.split(minSteal);
        if (back != null) {
            all.add(back);
        }
        return back;
    }

    /** True when every byte of every segment is written. */
    public synchronized boolean complete() {
        return end == null && waiting.isEmpty() && all.stream().allMatch(Segment::finished);
    }

    public synchronized URI url() {
        return url;
    }

    public synchronized void url(URI fresh) {
        url = fresh;
    }

    /** Ends the attempt early; the first reason wins. */
    public synchronized void end(E why) {
        if (end == null) {
            end = why;
        }
        notifyAll();
    }

    public synchronized E ended() {
        return end;
    }

    /** Where each segment's writer stands now. */
    public synchronized Map<Segment, Long> positions() {
        Map<Segment, Long> at = new HashMap<>();
        for (Segment s : all) {
            at.put(s, s.done());
        }
        return at;
    }

    /** An fsync covered each segment up to the position taken before it. */
    public synchronized void synced(Map<Segment, Long> positions) {
        positions.forEach(Segment::synced);
    }

    /**
     * The ranges on disk: those from before this attempt (fsynced when it began) and each segment's
     * fsynced front.
     */
    public synchronized Map<Long, Long> syncedRanges() {
        TreeMap<Long, Long> ranges = new TreeMap<>(before);
        for (Segment s : all) {
            if (s.syncedEnd() > s.start) {
                ranges.put(s.start, s.syncedEnd());
            }
        }
        return merged(ranges);
    }

    /** What each segment wrote beyond its fsynced front: in the page cache, not yet on disk. */
    public synchronized Map<Long, Long> unsyncedRanges() {
        TreeMap<Long, Long> ranges = new TreeMap<>();
        for (Segment s : all) {
            long done = s.done();
            if (done > s.syncedEnd()) {
                ranges.put(s.syncedEnd(), done);
            }
        }
        return merged(ranges);
    }

    private static Map<Long, Long> merged(TreeMap<Long, Long> ranges) {
        return ByteRanges.of(ranges).asMap();
    }
}
