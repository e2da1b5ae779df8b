package civitai.daemon.download.fetch;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Content-Range header: {@code bytes 100-199/1000} or {@code bytes *}{@code /1000}.
 *
 * @param start the first byte, or -1 for an unsatisfied range
 * @param end   the last byte (inclusive), or -1 for an unsatisfied range
 * @param total the file's size, null when the server does not say
 */
public record ContentRange(long start, long end, Long total) {
    private static final Pattern RANGE = Pattern.compile("bytes\\s+(\\d+)-(\\d+)/(\\d+|\\*)");
    private static final Pattern UNSATISFIED = Pattern.compile("bytes\\s+\\*/(\\d+)");

    /** Null when absent or unreadable. */
    public static ContentRange parse(String header) {
        if (header == null) {
            return null;
        }
        try {
            Matcher m = RANGE.matcher(header.strip());
            if (m.matches()) {
                return new ContentRange(Long.parseLong(m.group(1)), Long.parseLong(m.group(2)),
                        m.group(3).equals("*") ? null : Long.parseLong(m.group(3)));
            }
            Matcher u = UNSATISFIED.matcher(header.strip());
            return u.matches() ? new ContentRange(-1, -1, Long.parseLong(u.group(1))) : null;
        } catch (NumberFormatException e) {
            return null;  // digits beyond a long: not a range we can use
        }
    }
}
