package civitai.daemon.download.fetch;

import java.net.URI;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The one wording of an answer that is not the file, for any host: it names the host that
 * answered and quotes at most a short printable excerpt (a storage host's XML {@code <Message>},
 * a page's first line). A {@link RefusalReader} that knows a host words only what that host means
 * beyond this, and may hand its own detail to {@link #byStatus}. Pure; thread-safe.
 */
public final class PlainRefusals {
    private static final Pattern XML_MESSAGE = Pattern.compile("<Message>([^<]{1,200})</Message>");
    private static final Pattern XML_CODE = Pattern.compile("<Code>([^<]{1,200})</Code>");

    private PlainRefusals() {}

    /**
     * The reason for an answer from {@code from}; {@code printable} is the start of its body as
     * text.
     */
    public static RefusalReader.Reason read(URI from, int status, String contentType,
            String printable) {
        String host = from.getHost() == null ? "the server" : from.getHost();
        String type = contentType == null ? "" : contentType.toLowerCase(Locale.ROOT);
        String text = printable.strip();
        String lower = text.toLowerCase(Locale.ROOT);
        if (type.contains("html") || lower.startsWith("<!doctype html")
                || lower.startsWith("<html")) {
            return new RefusalReader.Reason(status >= 400 ? "http_" + status : "not_a_file",
                    host + " sent an HTML page instead of the model (HTTP " + status + ")");
        }
        String detail;
        if (type.contains("xml") || text.startsWith("<")) {  // a storage host's error (S3, R2, B2)
            var message = XML_MESSAGE.matcher(text);
            var code = XML_CODE.matcher(text);
            detail = message.find() ? message.group(1) : code.find() ? code.group(1)
                    : BodyText.quote(text);
        } else {
            detail = BodyText.quote(text);
        }
        return byStatus(host, status, detail);
    }

    /**
     * The reason an error status gives, for {@code host} (a name a person knows it by), with
     * {@code detail} (the host's own short words; null or empty for none) quoted after it.
     */
    public static RefusalReader.Reason byStatus(String host, int status, String detail) {
        String suffix = detail == null || detail.isEmpty() ? "" : ": " + detail;
        return switch (status) {
            case 401 -> new RefusalReader.Reason("auth_required",
                    host + " wants credentials (401)" + suffix);
            case 403 -> new RefusalReader.Reason("forbidden",
                    "the download was refused (403)" + suffix);
            case 404 -> new RefusalReader.Reason("not_found",
                    "file not found on " + host + " (404)" + suffix);
            case 410 -> new RefusalReader.Reason("gone",
                    "the file is gone from " + host + " (410)" + suffix);
            case 429 -> new RefusalReader.Reason("quota",
                    "download quota reached or rate limited by " + host + " (429)" + suffix);
            default -> status >= 400
                    ? new RefusalReader.Reason("http_" + status,
                            "HTTP " + status + " from " + host + suffix)
                    : new RefusalReader.Reason("not_a_file",
                            host + " sent a document instead of the model" + suffix);
        };
    }
}
