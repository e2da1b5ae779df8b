package civitai.daemon.civitai;

import civitai.daemon.download.fetch.PlainRefusals;
import civitai.daemon.download.fetch.RefusalReader;
import com.eclipsesource.json.Json;
import com.eclipsesource.json.JsonObject;
import com.eclipsesource.json.JsonValue;
import com.eclipsesource.json.ParseException;
import java.util.Locale;

/**
 * What an answer from Civitai means beyond the engine's plain words ({@link PlainRefusals}): a
 * login wall, disabled downloads, early access, an archived model, an API key needed (the cases
 * in API-NOTES.md). Any other status is worded by the engine, with Civitai's own error text as its
 * detail. Pure; thread-safe.
 *
 * @param code    short and stable, for the database and metrics (e.g. {@code auth_required})
 * @param message for people
 */
public record Refusal(String code, String message) {
    private static final String CIVITAI = "Civitai";

    /**
     * Reads a refusal from an answer whose status or first bytes say it is not the file; null
     * when it is not in Civitai's terms (an HTML page other than the login page, a storage host's
     * XML, plain text): the engine words those.
     */
    public static Refusal of(int status, String contentType, String body) {
        String type = contentType == null ? "" : contentType.toLowerCase(Locale.ROOT);
        String text = body == null ? "" : body.strip();
        JsonObject json = type.contains("html") ? null : jsonObject(text);
        if (json != null) {
            return fromJson(status, json);
        }
        String lowerText = text.toLowerCase(Locale.ROOT);
        boolean html = type.contains("html") || lowerText.startsWith("<!doctype html")
                || lowerText.startsWith("<html");
        if (html && (lowerText.contains("login") || lowerText.contains("sign in")
                || lowerText.contains("log in"))) {
            return new Refusal("auth_required", "got Civitai's login page instead of the model:"
                    + " this model needs a Civitai API key (set civitai_api_key)");
        }
        if (html || type.contains("xml") || text.startsWith("<")) {
            return null;
        }
        return byStatus(status, text.isEmpty() ? null : text);
    }

    private static Refusal fromJson(int status, JsonObject json) {
        String error = string(json, "error");
        String message = string(json, "message");
        String lowerMessage = message == null ? "" : message.toLowerCase(Locale.ROOT);
        String lowerError = error == null ? "" : error.toLowerCase(Locale.ROOT);
        if (lowerMessage.contains("disabled downloads")) {
            return new Refusal("downloads_disabled",
                    "the creator has disabled downloads of this file");
        }
        if (lowerMessage.contains("logged in")
                || (status == 401 && lowerError.contains("unauthorized"))) {
            return new Refusal("auth_required", "this model needs a Civitai API key: the creator"
                    + " requires a logged-in account (set civitai_api_key)");
        }
        if (lowerError.contains("early access")) {
            String deadline = string(json, "deadline");
            return new Refusal("early_access", "early access until "
                    + (deadline == null ? "a date Civitai did not give" : deadline));
        }
        if (status == 410 || lowerError.contains("archived")) {
            return new Refusal("archived", "model archived on Civitai, not available for download");
        }
        return byStatus(status, error != null ? error : message);
    }

    /**
     * Civitai's meaning of 401 and 410; the engine's wording, with Civitai's detail, for the rest.
     */
    private static Refusal byStatus(int status, String detail) {
        String quoted = detail == null ? null : firstLine(detail);
        return switch (status) {
            case 401 -> new Refusal("auth_required", "this model needs a Civitai API key"
                    + " (set civitai_api_key)" + (quoted == null ? ""
                            : " (Civitai: " + quoted + ")"));
            case 410 -> new Refusal("archived",
                    "model archived on Civitai, not available for download");
            default -> {
                RefusalReader.Reason plain = PlainRefusals.byStatus(CIVITAI, status, quoted);
                yield new Refusal(plain.code(), plain.message());
            }
        };
    }

    private static JsonObject jsonObject(String text) {
        if (!text.startsWith("{")) {
            return null;
        }
        try {
            JsonValue v = Json.parse(text);
            return v.isObject() ? v.asObject() : null;
        } catch (ParseException e) {
            return null;
        }
    }

    private static String string(JsonObject o, String key) {
        JsonValue v = o.get(key);
        return v != null && v.isString() ? v.asString() : null;
    }

    private static String firstLine(String text) {
        String line = text.lines().findFirst().orElse("");
        return line.length() > 200 ? line.substring(0, 200) + "…" : line;
    }
}
