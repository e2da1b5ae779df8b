package civitai.daemon.download.fetch;

import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/**
 * A {@code Retry-After} header: a number of seconds, or an HTTP date. Read without a clock, so
 * reading stays pure; {@link #from} turns it into a wait. Immutable.
 *
 * @param seconds the wait the server asked for, or null when it gave a date
 * @param at      the moment it named, or null when it gave seconds
 */
public record RetryAfter(Duration seconds, Instant at) {
    public RetryAfter {
        if ((seconds == null) == (at == null)) {
            throw new IllegalArgumentException("Retry-After is either seconds or a date");
        }
    }

    /** The header's meaning; empty when absent, negative or unreadable. */
    public static Optional<RetryAfter> parse(String header) {
        if (header == null) {
            return Optional.empty();
        }
        String v = header.strip();
        try {
            long n = Long.parseLong(v);
            return n < 0 ? Optional.empty()
                    : Optional.of(new RetryAfter(Duration.ofSeconds(n), null));
        } catch (NumberFormatException e) {
            try {
                return Optional.of(new RetryAfter(null,
                        ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant()));
            } catch (DateTimeParseException notADate) {
                return Optional.empty();
            }
        }
    }

    /** How long to wait from {@code now}: never negative (a date in the past means now). */
    public Duration from(Instant now) {
        if (seconds != null) {
            return seconds;
        }
        Duration wait = Duration.between(now, at);
        return wait.isNegative() ? Duration.ZERO : wait;
    }
}
