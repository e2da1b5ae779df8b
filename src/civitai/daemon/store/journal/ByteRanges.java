package civitai.daemon.store.journal;

import java.util.Map;
import java.util.TreeMap;

/**
 * A set of byte ranges {@code [start, end)} of one file, kept merged: a range that touches or
 * overlaps another becomes one with it, so every holder (the range journal, the in-order hasher,
 * a segmented attempt's plan) means the same by "the ranges". An empty range stays as it is until
 * a range covers its start (the journal's "nothing synced yet" marker is one). Not thread-safe:
 * its holder guards it.
 */
public final class ByteRanges {
    private final TreeMap<Long, Long> ranges = new TreeMap<>();
    private long bytes;

    /** The ranges of {@code startToEnd}, merged. */
    public static ByteRanges of(Map<Long, Long> startToEnd) {
        ByteRanges out = new ByteRanges();
        startToEnd.forEach(out::add);
        return out;
    }

    /** Adds {@code [start, end)}, merging it with every range it touches or overlaps. */
    public void add(long start, long end) {
        if (end < start) {
            throw new IllegalArgumentException("range [" + start + ", " + end
                    + ") ends before it starts");
        }
        var before = ranges.floorEntry(start);
        if (before != null && before.getValue() >= start) {
            start = before.getKey();
            end = Math.max(end, before.getValue());
            remove(before.getKey());
        }
        for (var next = ranges.ceilingEntry(start); next != null && next.getKey() <= end;
                next = ranges.ceilingEntry(start)) {
            end = Math.max(end, next.getValue());
            remove(next.getKey());
        }
        ranges.put(start, end);
        bytes += end - start;
    }

    /**
     * Removes and returns the first range if it starts at or before {@code position}; else null.
     */
    public Map.Entry<Long, Long> pollFirstFrom(long position) {
        var first = ranges.firstEntry();
        if (first == null || first.getKey() > position) {
            return null;
        }
        remove(first.getKey());
        return first;
    }

    /** The bytes the ranges cover. */
    public long bytes() {
        return bytes;
    }

    public boolean isEmpty() {
        return ranges.isEmpty();
    }

    public void clear() {
        ranges.clear();
        bytes = 0;
    }

    /** The ranges, start to end, in file order (a copy). */
    public TreeMap<Long, Long> asMap() {
        return new TreeMap<>(ranges);
    }

    private void remove(long start) {
        Long end = ranges.remove(start);
        bytes -= end - start;
    }
}
