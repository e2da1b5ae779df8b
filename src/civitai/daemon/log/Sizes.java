package civitai.daemon.log;

import java.util.Locale;

/**
 * A byte count as a person reads it: {@code 512 B}, {@code 7.2 GiB} (binary units, one decimal).
 */
public final class Sizes {
    private static final String[] UNITS = {"B", "KiB", "MiB", "GiB", "TiB"};

    private Sizes() {}

    public static String of(long bytes) {
        double v = bytes;
        int unit = 0;
        while (Math.abs(v) >= 1024 && unit < UNITS.length - 1) {
            v /= 1024;
            unit++;
        }
        return unit == 0 ? bytes + " B" : String.format(Locale.ROOT, "%.1f %s", v, UNITS[unit]);
    }
}
