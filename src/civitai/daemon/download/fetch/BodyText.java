package civitai.daemon.download.fetch;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * The start of an answer's body judged as bytes: whether it is a document (an HTML page, XML or
 * JSON) rather than a file, and what of it may be quoted to a person. Quoting never passes raw
 * bytes on: control characters and undecodable bytes make it "binary", which is not quoted. Pure.
 */
public final class BodyText {
    /** How many first bytes decide what a body is. */
    public static final int SNIFF = 512;
    private static final int QUOTE = 200;

    private BodyText() {}

    /** True when {@code head} is printable text that opens like HTML, XML or JSON. */
    public static boolean isDocument(byte[] head) {
        String text = decode(head);
        if (text == null) {
            return false;
        }
        String s = text.stripLeading();
        if (s.isEmpty()) {
            return false;
        }
        char first = s.charAt(0);
        if (first == '{' || first == '[') {
            return true;
        }
        return first == '<' && s.length() > 1
                && (s.charAt(1) == '!' || s.charAt(1) == '?' || Character.isLetter(s.charAt(1)));
    }

    /** True when {@code head} decodes as UTF-8 text without control characters. */
    public static boolean isText(byte[] head) {
        return decode(head) != null;
    }

    /** The body as text for a refusal reader: null-free, every control character made a space. */
    public static String printable(byte[] body) {
        String text = decode(body);
        return text == null ? "" : text;
    }

    /** At most {@value #QUOTE} characters of the first non-blank line, or "" for a binary body. */
    public static String quote(String printable) {
        String line = printable.strip().lines().findFirst().orElse("").strip();
        return line.length() > QUOTE ? line.substring(0, QUOTE) + "…" : line;
    }

    /**
     * UTF-8 text with tabs and line ends, else null. A multi-byte character cut off by the end of
     * the sample does not make it binary.
     */
    private static String decode(byte[] bytes) {
        var decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        CharBuffer out = CharBuffer.allocate(bytes.length);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        var result = decoder.decode(in, out, false);
        if (result.isError() || in.remaining() > 3) {
            return null;
        }
        out.flip();
        StringBuilder text = new StringBuilder(out.length());
        for (int i = 0; i < out.length(); i++) {
            char c = out.charAt(i);
            if (c == '\n' || c == '\r' || c == '\t') {
                text.append(c);
            } else if (c == '\uFEFF' && i == 0) {
                continue;  // a byte-order mark
            } else if (Character.isISOControl(c) || isInvisibleTrick(c)) {
                return null;
            } else {
                text.append(c);
            }
        }
        return text.toString();
    }

    /** Bidi overrides, line separators: a message must read as what it says. */
    private static boolean isInvisibleTrick(char c) {
        return (c >= '\u202A' && c <= '\u202E') || (c >= '\u2066' && c <= '\u2069') || c == '\u2028'
                || c == '\u2029';
    }

}
