package civitai.daemon.http.server;

import com.eclipsesource.json.JsonValue;

/**
 * A request that cannot be served: the status, a stable error code and a message for people,
 * with optional details (e.g. each bad entry of a batch). Thrown by handlers, turned into the one
 * error shape {@code {"error": {"code", "message", "details"}}} by {@link Router}.
 */
public final class ApiException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    public final int status;
    public final String code;
    public final transient JsonValue details;

    public ApiException(int status, String code, String message) {
        this(status, code, message, null);
    }

    public ApiException(int status, String code, String message, JsonValue details) {
        super(message);
        this.status = status;
        this.code = code;
        this.details = details;
    }

    public static ApiException badRequest(String message) {
        return new ApiException(400, "bad_request", message);
    }

    public static ApiException notFound(String message) {
        return new ApiException(404, "not_found", message);
    }
}
