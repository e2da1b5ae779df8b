package civitai.daemon.events;

import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Every reason a job can fail or retry with ({@link Event.Failed#reason}, {@link Event.Retrying}),
 * with the sentence people read for it. The one table: the API's {@code /api/meta} serves it and
 * the GUI words a failed job by it. {@code http_<status>} stands for every status code.
 */
public enum FailureCode {
    HASH_MISMATCH("The file’s SHA-256 did not match the expected one"),
    SIZE_MISMATCH("The file’s size did not match the expected one"),
    TOO_LARGE("The server sent more than max_file_size without saying how large the file is"),
    UNREQUESTED_ENCODING("The server compressed the file (Content-Encoding) although the daemon"
            + " asked for it as it is"),
    TINY_RANGES("The server answered every request with only a few KiB of the file"),
    INCOMPLETE("The connection ended before the whole file arrived"),
    RESUME_MISMATCH("The server sent a different file when resuming"),
    NO_RANGES("The server sent the whole file instead of the part asked for"),
    NETWORK_ERROR("The network failed on every attempt"),
    TIMEOUT("An attempt took longer than the configured timeout"),
    STALLED("No data arrived for stall_timeout"),
    STOPPED("The download was stopped before it finished"),
    DISK_FULL("The disk is full: free some space, then retry"),
    DISK_SPACE("The file is larger than its file system, or would leave less than"
            + " min_free_space free"),
    DISK_ERROR("The file could not be written (is the folder writable?)"),
    TARGET_EXISTS("Another file already has this name and was left alone"),
    TARGET_BUSY("Another job is writing this file right now"),
    UNSAFE_PATH("The file name would land outside the download folder"),
    BAD_FILENAME("The server gave an unusable file name"),
    INTERNAL_ERROR("An internal error (see the daemon’s error.log)"),
    NOT_FOUND("Not found on the server"),
    GONE("The server says the file is gone for good"),
    AUTH_REQUIRED("The server wants a login (for Civitai: set civitai_api_key)"),
    FORBIDDEN("The server refused access"),
    EARLY_ACCESS("Early access: only for Civitai supporters for now"),
    QUOTA("The download quota is used up; try later"),
    ARCHIVED("The model is archived on Civitai"),
    DOWNLOADS_DISABLED("Its creator turned downloads off"),
    NOT_A_FILE("The server sent a web page, not the file"),
    HTTP_STATUS("The server answered HTTP {status}");

    /** The code {@link #HTTP_STATUS} stands for, e.g. {@code http_404}. */
    private static final Pattern HTTP = Pattern.compile("http_(\\d{3})");

    private final String text;

    FailureCode(String text) {
        this.text = text;
    }

    /** As a job carries it: {@code hash_mismatch}; {@code http_{status}} for any status. */
    public String code() {
        return this == HTTP_STATUS ? "http_{status}" : name().toLowerCase(Locale.ROOT);
    }

    /** The sentence; {@link #HTTP_STATUS}'s has {@code {status}} where the number goes. */
    public String text() {
        return text;
    }

    /** The entry for a code as a job carries it ({@code http_503} is {@link #HTTP_STATUS}). */
    public static Optional<FailureCode> of(String code) {
        if (code == null) {
            return Optional.empty();
        }
        if (HTTP.matcher(code).matches()) {
            return Optional.of(HTTP_STATUS);
        }
        for (FailureCode c : values()) {
            if (c != HTTP_STATUS && c.code().equals(code)) {
                return Optional.of(c);
            }
        }
        return Optional.empty();
    }
}
