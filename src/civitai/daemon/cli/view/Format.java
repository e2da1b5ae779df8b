package civitai.daemon.cli.view;

import civitai.daemon.log.Sizes;
import java.util.Locale;

/** Human-readable sizes, speeds, durations and progress bars for the client's tables. */
public final class Format {
    private static final int BAR = 20;

    private Format() {}

    public static String bytes(Long n) {
        return n == null ? "?" : Sizes.of(n);
    }

    public static String speed(Long bytesPerSecond) {
        return bytesPerSecond == null || bytesPerSecond == 0 ? "-" : bytes(bytesPerSecond) + "/s";
    }

    /** {@code 1:05:02}, {@code 4:09}; "-" when unknown. */
    public static String duration(Long seconds) {
        if (seconds == null || seconds < 0) {
            return "-";
        }
        long h = seconds / 3600;
        long m = seconds / 60 % 60;
        long s = seconds % 60;
        return h > 0 ? String.format(Locale.ROOT, "%d:%02d:%02d", h, m, s)
                : String.format(Locale.ROOT, "%d:%02d", m, s);
    }

    /** {@code [#########-----------]  45%}; an unknown total shows only the bytes so far. */
    public static String bar(long done, Long total) {
        if (total == null || total <= 0) {
            return "[" + "?".repeat(BAR) + "]  " + bytes(done);
        }
        double fraction = Math.min(1.0, Math.max(0.0, (double) done / total));
        int filled = (int) Math.round(fraction * BAR);
        return "[" + "#".repeat(filled) + "-".repeat(BAR - filled) + "] "
                + String.format(Locale.ROOT, "%3d%%", (int) Math.floor(fraction * 100));
    }

    public static String percent(Double fraction) {
        return fraction == null ? "-" : String.format(Locale.ROOT, "%.1f%%", fraction * 100);
    }
}
