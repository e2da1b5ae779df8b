package civitai.daemon.notify;

import java.io.IOException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.util.regex.Pattern;
import javax.net.ssl.SSLException;

/**
 * A failed send in words for the API and the logs: what went wrong, never the name of an
 * exception class (the JDK's messages sometimes embed one: it is cut out). Pure; thread-safe.
 */
final class NetworkFailure {
    private static final Pattern CLASS_NAME =
            Pattern.compile(
            "(?:[a-z][a-z0-9_]*\\.)*[A-Z][A-Za-z0-9_]*(?:Exception|Error)(?::\\s*)?");

    private NetworkFailure() {}

    static String describe(IOException e) {
        String what = switch (e) {
            case HttpConnectTimeoutException t -> "connect timed out";
            case HttpTimeoutException t -> "timed out";
            case ConnectException c -> "cannot connect";
            case UnknownHostException u -> "unknown host";
            case SSLException s -> "TLS failed";
            default -> "network error";
        };
        String detail = e.getMessage() == null ? ""
                : CLASS_NAME.matcher(e.getMessage()).replaceAll("").strip();
        return detail.isEmpty() || detail.equalsIgnoreCase(what) ? what : what + ": " + detail;
    }
}
