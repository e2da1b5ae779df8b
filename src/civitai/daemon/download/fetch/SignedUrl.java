package civitai.daemon.download.fetch;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/**
 * A storage URL a download redirect led to, and until when it may be reused. Each new one costs a
 * hit on Civitai's download quota, so retries reuse it while valid. Immutable.
 *
 * @param expiresAt null when the URL does not say (then it is used until refused)
 */
public record SignedUrl(URI uri, Instant expiresAt) {
    private static final Duration MARGIN = Duration.ofSeconds(30);
    private static final DateTimeFormatter AMZ_DATE =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'");

    public static SignedUrl of(URI uri) {
        return new SignedUrl(uri, expiry(uri.getRawQuery()));
    }

    public boolean usableAt(Instant now) {
        return expiresAt == null || now.plus(MARGIN).isBefore(expiresAt);
    }

    /** S3/R2 presigning: X-Amz-Date + X-Amz-Expires; others: an epoch {@code Expires}. */
    private static Instant expiry(String query) {
        if (query == null) {
            return null;
        }
        String amzDate = null;
        String amzExpires = null;
        String expires = null;
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            if (eq < 0) {
                continue;
            }
            String key = pair.substring(0, eq);
            String value = pair.substring(eq + 1);
            if (key.equalsIgnoreCase("X-Amz-Date")) {
                amzDate = value;
            } else if (key.equalsIgnoreCase("X-Amz-Expires")) {
                amzExpires = value;
            } else if (key.equalsIgnoreCase("Expires")) {
                expires = value;
            }
        }
        try {
            if (amzDate != null && amzExpires != null) {
                return LocalDateTime.parse(amzDate, AMZ_DATE).toInstant(ZoneOffset.UTC)
                        .plusSeconds(Long.parseLong(amzExpires));
            }
            if (expires != null) {
                return Instant.ofEpochSecond(Long.parseLong(expires));
            }
        } catch (DateTimeParseException | NumberFormatException e) {
            return null;  // unreadable: treat as "valid until refused"
        }
        return null;
    }
}
