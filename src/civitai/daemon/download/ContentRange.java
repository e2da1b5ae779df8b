package civitai.daemon.download;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A Content-Range header: {@code bytes 100-199/1000} or {@code bytes *}{@code /1000}. */
record ContentRange(long start, Long total) {
    private static final Pattern RANGE = Pattern.compile("bytes\\s+(\\d+)-\\d+/(\\d+|\\*)");
    private static final Pattern UNSATISFIED = Pattern.compile("bytes\\s+\\*/(\\d+)");

    /** Null when absent or unreadable. */
    static ContentRange parse(String header) {
        if (header == null) {
            return null;
        }
        Matcher m = RANGE.matcher(header.strip());
        if (m.matches()) {
            return new ContentRange(Long.parseLong(m.group(1)),
                    m.group(2).equals("*") ? null : Long.parseLong(m.group(2)));
        }
        Matcher u = UNSATISFIED.matcher(header.strip());
        return u.matches() ? new ContentRange(-1, Long.parseLong(u.group(1))) : null;
    }
}
