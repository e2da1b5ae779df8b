package civitai.daemon.civitai;

import com.eclipsesource.json.Json;
import com.eclipsesource.json.JsonObject;
import com.eclipsesource.json.JsonValue;
import com.eclipsesource.json.ParseException;
import java.util.Locale;

/**
 * Why a download answer is not the model, in words a user can act on, read from Civitai's answer
 * (status, content type, body). The cases are those in API-NOTES.md. Pure; thread-safe.
 *
 * @param code    short and stable, for the database and metrics (e.g. {@code auth_required})
 * @param message for people
 */
public record Refusal(String code, String message) {

    /** Reads a refusal from an answer whose status or content type says it is not the file. */
    public static Refusal of(int status, String contentType, String body) {
        String type = contentType == null ? "" : contentType.toLowerCase(Locale.ROOT);
        String text = body == null ? "" : body.strip();
        JsonObject json = type.contains("html") ? null : jsonObject(text);
        if (json != null) {
            return fromJson(status, json);
        }
        String lowerText = text.toLowerCase(Locale.ROOT);
        if (type.contains("html") || lowerText.startsWith("<!doctype html") || lowerText.startsWith("<html")) {
            if (lowerText.contains("login") || lowerText.contains("sign in") || lowerText.contains("log in")) {
                return new Refusal("auth_required", "got Civitai's login page instead of the model:"
                        + " this model needs a Civitai API key (set civitai_api_key)");
            }
            return new Refusal(status >= 400 ? "http_" + status : "not_a_file",
                    "got an HTML page instead of the model (HTTP " + status + ")");
        }
        if (type.contains("xml") || text.startsWith("<")) {  // a storage host's error (S3, R2, B2)
            var message = XML_MESSAGE.matcher(text);
            var code = XML_CODE.matcher(text);
            return byStatus(status, message.find() ? message.group(1) : code.find() ? code.group(1) : firstLine(text));
        }
        return byStatus(status, text.isEmpty() ? null : firstLine(text));
    }

    private static final java.util.regex.Pattern XML_MESSAGE =
            java.util.regex.Pattern.compile("<Message>([^<]{1,200})</Message>");
    private static final java.util.regex.Pattern XML_CODE =
            java.util.regex.Pattern.compile("<Code>([^<]{1,200})</Code>");

    private static Refusal fromJson(int status, JsonObject json) {
        String error = string(json, "error");
        String message = string(json, "message");
        String lowerMessage = message == null ? "" : message.toLowerCase(Locale.ROOT);
        String lowerError = error == null ? "" : error.toLowerCase(Locale.ROOT);
        if (lowerMessage.contains("disabled downloads")) {
            return new Refusal("downloads_disabled", "the creator has disabled downloads of this file");
        }
        if (lowerMessage.contains("logged in") || (status == 401 && lowerError.contains("unauthorized"))) {
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

    private static Refusal byStatus(int status, String detail) {
        String suffix = detail == null ? "" : " (Civitai: " + detail + ")";
        return switch (status) {
            case 401 -> new Refusal("auth_required", "this model needs a Civitai API key"
                    + " (set civitai_api_key)" + suffix);
            case 403 -> new Refusal("forbidden", "the download was refused (403)" + suffix);
            case 404 -> new Refusal("not_found", "file not found on Civitai (404)" + suffix);
            case 410 -> new Refusal("archived", "model archived on Civitai, not available for download");
            case 429 -> new Refusal("quota", "download quota reached or rate limited (429)" + suffix);
            default -> status >= 400
                    ? new Refusal("http_" + status, "HTTP " + status + suffix)
                    : new Refusal("not_a_file", "the server sent a document instead of the model" + suffix);
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
