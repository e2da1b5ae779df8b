package civitai.daemon.workflow;

import com.eclipsesource.json.Json;
import com.eclipsesource.json.JsonValue;
import com.eclipsesource.json.ParseException;

/**
 * ComfyUI writes {@code NaN} and {@code Infinity} into its JSON; those tokens become {@code null}
 * outside strings before the strict parser sees them. The same pass bounds the nesting depth, so
 * a hostile body cannot exhaust the parser's stack.
 */
final class LenientJson {
    static final int MAX_DEPTH = 64;

    private LenientJson() {}

    static JsonValue parse(String text) throws NotAWorkflow {
        String cleaned = clean(text);
        try {
            return Json.parse(cleaned);
        } catch (ParseException e) {
            throw new NotAWorkflow("invalid JSON (" + e.getMessage() + ")");
        }
    }

    static String clean(String text) throws NotAWorkflow {
        var out = new StringBuilder(text.length());
        int depth = 0;
        boolean inString = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (inString) {
                out.append(c);
                if (c == '\\' && i + 1 < text.length()) {
                    out.append(text.charAt(++i));
                } else if (c == '"') {
                    inString = false;
                }
                continue;
            }
            if (c == '"') {
                inString = true;
            } else if (c == '{' || c == '[') {
                if (++depth > MAX_DEPTH) {
                    throw new NotAWorkflow("JSON nested deeper than " + MAX_DEPTH);
                }
            } else if (c == '}' || c == ']') {
                depth--;
            }
            int skip = token(text, i);
            if (skip > 0) {
                out.append("null");
                i += skip - 1;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    /** The length of a NaN / Infinity / -Infinity token at {@code i}, or 0. */
    private static int token(String text, int i) {
        for (String t : new String[] {"NaN", "-Infinity", "Infinity"}) {
            if (text.startsWith(t, i)) {
                return t.length();
            }
        }
        return 0;
    }
}
