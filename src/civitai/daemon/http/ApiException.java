package civitai.daemon.http;

import com.eclipsesource.json.JsonValue;

/**
 * A request that cannot be served: the status, a stable error code and a message for people,
 * with optional details (e.g. each bad entry of a batch). Thrown by handlers, turned into the one
 * error shape {@code {"error": {"code", "message", "details"}}} by {@link Router}.
 */
final class ApiException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final int status;
    final String code;
    final transient JsonValue details;

    ApiException(int status, String code, String message) {
        this(status, code, message, null);
    }

    ApiException(int status, String code, String message, JsonValue details) {
        super(message);
        this.status = status;
        this.code = code;
        this.details = details;
    }

    static ApiException badRequest(String message) {
        return new ApiException(400, "bad_request", message);
    }

    static ApiException notFound(String message) {
        return new ApiException(404, "not_found", message);
    }
}
