package civitai.daemon.download.fetch;

import java.net.http.HttpHeaders;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A {@code Retry-After} header: a number of seconds, or an HTTP date; or, when an answer has none
 * and its quota is spent (a 429, or {@code r=0} left), the reset ({@code t=} seconds) of its
 * {@code RateLimit} header (the IETF draft the Hugging Face Hub sends; on other answers {@code t=}
 * is only when a window ends, not a wait anyone asked for). Read without a clock, so
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

    private static final Pattern RATE_LIMIT_RESET = Pattern.compile("(?:^|[;,\\s])t=(\\d{1,9})");
    private static final Pattern RATE_LIMIT_SPENT =
            Pattern.compile("(?:^|[;,\\s])r=0+(?:$|[;,\\s])");

    /**
     * The wait an answer of {@code status} names: its Retry-After, else its RateLimit's reset when
     * the quota is spent; empty for neither.
     */
    public static Optional<RetryAfter> of(int status, HttpHeaders headers) {
        Optional<RetryAfter> after = parse(headers.firstValue("Retry-After").orElse(null));
        if (after.isPresent()) {
            return after;
        }
        String rateLimit = headers.firstValue("RateLimit").orElse("");
        Matcher t = RATE_LIMIT_RESET.matcher(rateLimit);
        boolean spent = status == 429 || RATE_LIMIT_SPENT.matcher(rateLimit).find();
        if (!spent || !t.find()) {
            return Optional.empty();
        }
        return Optional.of(new RetryAfter(Duration.ofSeconds(Long.parseLong(t.group(1))), null));
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
