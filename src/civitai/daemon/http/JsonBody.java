package civitai.daemon.http;

import com.eclipsesource.json.Json;
import com.eclipsesource.json.JsonValue;
import com.eclipsesource.json.ParseException;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/** Reads a JSON request body within limits: content type, size and nesting depth. */
final class JsonBody {
    static final int MAX_DEPTH = 32;

    private JsonBody() {}

    static JsonValue read(HttpExchange exchange, int maxBytes) throws IOException {
        String type = exchange.getRequestHeaders().getFirst("Content-Type");
        if (type == null || !type.toLowerCase(Locale.ROOT).startsWith("application/json")) {
            throw new ApiException(415, "unsupported_media_type",
                    "send the body as Content-Type: application/json (got " + type + ")");
        }
        String length = exchange.getRequestHeaders().getFirst("Content-Length");
        if (length != null && length.strip().matches("\\d{1,18}") && Long.parseLong(length.strip()) > maxBytes) {
            // refused before a byte is read: sixteen such bodies at once were a quarter of the heap
            throw new ApiException(413, "payload_too_large", "the body is larger than " + maxBytes + " bytes");
        }
        byte[] bytes;
        try (InputStream in = exchange.getRequestBody()) {
            bytes = in.readNBytes(maxBytes + 1);
        } catch (IOException e) {
            throw new ClientGone(e);
        }
        if (bytes.length > maxBytes) {
            throw new ApiException(413, "payload_too_large", "the body is larger than " + maxBytes + " bytes");
        }
        String text = new String(bytes, StandardCharsets.UTF_8);
        checkDepth(text);
        try {
            return Json.parse(text);
        } catch (ParseException e) {
            throw ApiException.badRequest("the body is not valid JSON: " + e.getMessage());
        }
    }

    /** Refuses deeper nesting than any request needs before the parser recurses into it. */
    static void checkDepth(String text) {
        int depth = 0;
        boolean inString = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (inString) {
                if (c == '\\') {
                    i++;
                } else if (c == '"') {
                    inString = false;
                }
            } else if (c == '"') {
                inString = true;
            } else if (c == '{' || c == '[') {
                if (++depth > MAX_DEPTH) {
                    throw ApiException.badRequest("the body nests deeper than " + MAX_DEPTH + " levels");
                }
            } else if (c == '}' || c == ']') {
                depth--;
            }
        }
    }
}
