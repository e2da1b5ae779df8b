package civitai.daemon.http.server;

import com.eclipsesource.json.Json;
import com.eclipsesource.json.JsonValue;
import com.eclipsesource.json.ParseException;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;

/** Reads a JSON request body within limits: content type, size and nesting depth. */
public final class JsonBody {
    /** An ordinary request body: a job, a patch, a choice (a batch has its own limit). */
    public static final int MAX_BODY = 1 << 20;
    public static final int MAX_DEPTH = 32;

    /** The most of a refused body that is read (and dropped) so the client gets the answer. */
    private static final long DRAIN_LIMIT = 64L << 20;

    private JsonBody() {}

    public static JsonValue read(HttpExchange exchange, int maxBytes) throws IOException {
        String type = exchange.getRequestHeaders().getFirst("Content-Type");
        if (type == null || !type.toLowerCase(Locale.ROOT).startsWith("application/json")) {
            throw new ApiException(415, "unsupported_media_type",
                    "send the body as Content-Type: application/json (got " + type + ")");
        }
        String text = new String(bytes(exchange, maxBytes, maxBytes), StandardCharsets.UTF_8);
        checkDepth(text);
        try {
            return Json.parse(text);
        } catch (ParseException e) {
            throw ApiException.badRequest("the body is not valid JSON: " + e.getMessage());
        }
    }

    /**
     * The raw body, whatever its type, up to {@code maxBytes} when its length is declared and up
     * to {@code maxUndeclared} when it is not (chunked). A declared length is read into one array
     * of that size: reading an unknown length holds the bytes twice on the way, which a large body
     * cannot afford in the daemon's heap.
     */
    public static byte[] bytes(HttpExchange exchange, int maxBytes, int maxUndeclared)
            throws IOException {
        String length = exchange.getRequestHeaders().getFirst("Content-Length");
        long declared = length != null && length.strip().matches("\\d{1,18}")
                ? Long.parseLong(length.strip()) : -1;
        if (declared > maxBytes) {
            refuseUnread(exchange, declared, maxBytes);
        }
        int limit = declared >= 0 ? (int) declared : maxUndeclared;
        byte[] bytes;
        try (InputStream in = exchange.getRequestBody()) {
            bytes = declared >= 0 ? exactly(in, (int) declared) : in.readNBytes(limit + 1);
        } catch (IOException e) {
            throw new ClientGone(e);
        }
        if (bytes.length > limit) {
            throw new ApiException(413, "payload_too_large",
                    "the body is larger than " + limit + " bytes"
                    + (maxUndeclared < maxBytes ? " (send a Content-Length for a larger one, up to "
                            + maxBytes + ")" : ""));
        }
        return bytes;
    }

    /** {@code length} bytes into one array (fewer when the body ends early). */
    private static byte[] exactly(InputStream in, int length) throws IOException {
        byte[] bytes = new byte[length];
        int n = in.readNBytes(bytes, 0, length);
        return n == length ? bytes : Arrays.copyOf(bytes, n);
    }

    /**
     * A body declared larger than {@code maxBytes} is refused without keeping it: sixteen such
     * bodies read at once would take a quarter of the heap. It is read and dropped first (up to
     * {@link #DRAIN_LIMIT}), since a server that answers and closes while the client still sends
     * resets the connection, and the client may never see the answer.
     */
    private static void refuseUnread(HttpExchange exchange, long declared, int maxBytes)
            throws ClientGone {
        if (declared <= DRAIN_LIMIT) {
            try (InputStream in = exchange.getRequestBody()) {
                in.transferTo(OutputStream.nullOutputStream());
            } catch (IOException e) {
                throw new ClientGone(e);
            }
        } else {
            exchange.getResponseHeaders().set("Connection", "close");
        }
        throw new ApiException(413, "payload_too_large",
                "the body is larger than " + maxBytes + " bytes");
    }

    /** Refuses deeper nesting than any request needs before the parser recurses into it. */
    public static void checkDepth(String text) {
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
                    throw ApiException.badRequest("the body nests deeper than " + MAX_DEPTH
                            + " levels");
                }
            } else if (c == '}' || c == ']') {
                depth--;
            }
        }
    }
}
