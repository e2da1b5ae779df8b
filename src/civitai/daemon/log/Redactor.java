package civitai.daemon.log;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Removes secrets from text bound for a log, an API answer, an event or a webhook: the
 * configured secret values, bearer tokens, the user-info of URLs ({@code https://user:pass@host}),
 * and the values of credential-like query parameters (Civitai's {@code token=}, signed-URL
 * signatures). Thread-safe.
 */
public final class Redactor {
    public static final String MASK = "[REDACTED]";
    private static final Pattern QUERY_SECRET = Pattern.compile(
            "(?i)([?&;](?:token|access_token|api_key|apikey|key|sig|signature|x-amz-signature"
                    + "|x-amz-credential|x-amz-security-token|authorization)=)[^&\\s\"'#]*");
    private static final Pattern USER_INFO =
            Pattern.compile("(?i)\\b([a-z][a-z0-9+.-]*://)[^/\\s@\"'?#<>]+@");
    private static final Redactor URLS = new Redactor(List.of());
    private static final Pattern BEARER = Pattern.compile("(?i)(bearer\\s+)[A-Za-z0-9._~+/=-]+");

    private final List<String> secrets;

    public Redactor(List<String> secrets) {
        this.secrets = secrets.stream().filter(s -> s != null && s.length() >= 4).toList();
    }

    /** {@code text} without URL credentials (user-info, token-like query values). */
    public static String urls(String text) {
        return URLS.redact(text);
    }

    public String redact(String text) {
        if (text == null) {
            return null;
        }
        String out = text;
        for (String secret : secrets) {
            out = out.replace(secret, MASK);
        }
        // each pattern needs a character most lines lack: skip its scan then
        // (every log line comes here)
        if (out.indexOf('@') >= 0) {
            out = USER_INFO.matcher(out).replaceAll("$1" + Matcher.quoteReplacement(MASK) + "@");
        }
        if (out.indexOf('=') >= 0) {
            out = QUERY_SECRET.matcher(out).replaceAll("$1" + Matcher.quoteReplacement(MASK));
        }
        return containsBearer(out)
                ? BEARER.matcher(out).replaceAll("$1" + Matcher.quoteReplacement(MASK)) : out;
    }

    private static boolean containsBearer(String text) {
        for (int i = 0; i + 6 <= text.length(); i++) {
            char c = text.charAt(i);
            if ((c == 'b' || c == 'B') && text.regionMatches(true, i, "bearer", 0, 6)) {
                return true;
            }
        }
        return false;
    }
}
