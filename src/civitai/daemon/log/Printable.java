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
        int[] points = text.codePoints().toArray();
        for (int i = 0; i < points.length && out.length() < max; i++) {
            out.appendCodePoint(isPrintable(points[i]) ? points[i] : '?');
        }
        return out.codePointCount(0, out.length()) < points.length ? out + "…" : out.toString();
    }

    /**
     * False for what does not read as itself: controls (C0, C1), format characters (bidi
     * controls and marks, zero-width characters, soft hyphen, tags), line and paragraph
     * separators, lone surrogates, unassigned code points, the replacement character and the
     * blank Hangul fillers.
     */
    public static boolean isPrintable(int codePoint) {
        return switch (Character.getType(codePoint)) {
            case Character.CONTROL, Character.FORMAT, Character.LINE_SEPARATOR,
                 Character.PARAGRAPH_SEPARATOR, Character.SURROGATE, Character.UNASSIGNED -> false;
            default -> switch (codePoint) {
                case 0x115F, 0x1160, 0x3164, 0xFFA0, 0xFFFD -> false;
                default -> true;
            };
        };
    }
}
