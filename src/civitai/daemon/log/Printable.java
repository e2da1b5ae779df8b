package civitai.daemon.log;

/**
 * Text that is safe to put in a log line, an API answer or SQLite when it came from outside
 * (a header, a response body): control, bidi and zero-width characters become {@code ?}, and
 * it is cut to a short excerpt. Pure functions.
 */
public final class Printable {
    private Printable() {}

    /** At most {@code max} characters of {@code text}, each printable; "…" marks a cut. */
    public static String excerpt(String text, int max) {
        if (text == null) {
            return "";
        }
        StringBuilder out = new StringBuilder(Math.min(text.length(), max + 1));
        for (int i = 0; i < text.length() && out.length() < max; i++) {
            char c = text.charAt(i);
            out.append(isPrintable(c) ? c : '?');
        }
        return out.length() < text.length() ? out + "…" : out.toString();
    }

    /** False for C0/C1 controls, bidi controls, line/paragraph separators and zero-width marks. */
    public static boolean isPrintable(char c) {
        if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) {
            return false;
        }
        return switch (c) {
            case '\u200b', '\u200c', '\u200d', '\u200e', '\u200f', '\u2028', '\u2029',
                 '\u202a', '\u202b', '\u202c', '\u202d', '\u202e', '\u2060', '\u2061',
                 '\u2062', '\u2063', '\u2064', '\u2066', '\u2067', '\u2068', '\u2069',
                 '\ufeff', '\ufff9', '\ufffa', '\ufffb', '\ufffd' -> false;
            default -> true;
        };
    }
}
