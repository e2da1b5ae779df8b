package civitai.daemon.download.fetch;

import java.net.URLDecoder;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The file name in a Content-Disposition header (RFC 6266; {@code filename*} wins). Pure. */
public final class ContentDisposition {
    private static final Pattern EXTENDED = Pattern.compile(
            "(?i)(?:^|;)\\s*filename\\*\\s*=\\s*([\\w!#$%&+.^`{}~-]+)'[^']*'([^;\\s]+)");
    private static final Pattern QUOTED =
            Pattern.compile("(?i)(?:^|;)\\s*filename\\s*=\\s*\"((?:[^\"\\\\]|\\\\.)*)\"");
    private static final Pattern TOKEN =
            Pattern.compile("(?i)(?:^|;)\\s*filename\\s*=\\s*([^;\\s\"]+)");

    private ContentDisposition() {}

    public static Optional<String> filename(String header) {
        if (header == null) {
            return Optional.empty();
        }
        Matcher ext = EXTENDED.matcher(header);
        if (ext.find()) {
            try {
                Charset charset = Charset.forName(ext.group(1));
                // '+' is literal in RFC 5987 values, unlike in form encoding
                return Optional.of(URLDecoder.decode(ext.group(2).replace("+", "%2B"), charset));
            } catch (IllegalArgumentException e) {
                // an unknown charset or bad escape: fall back to the plain parameter
            }
        }
        Matcher quoted = QUOTED.matcher(header);
        if (quoted.find()) {
            return Optional.of(repairLatin1(quoted.group(1).replaceAll("\\\\(.)", "$1")));
        }
        Matcher token = TOKEN.matcher(header);
        return token.find() ? Optional.of(repairLatin1(token.group(1))) : Optional.empty();
    }

    /**
     * Header values arrive as ISO-8859-1; Civitai sends UTF-8 bytes there, so a name that
     * decodes cleanly as UTF-8 is read as UTF-8 (API-NOTES: mis-encoded non-ASCII names).
     */
    private static String repairLatin1(String value) {
        if (value.chars().allMatch(c -> c < 0x80) || value.chars().anyMatch(c -> c > 0xff)) {
            return value;
        }
        byte[] bytes = value.getBytes(StandardCharsets.ISO_8859_1);
        var decoder = StandardCharsets.UTF_8.newDecoder();
        try {
            return decoder.decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            return value;
        }
    }
}
