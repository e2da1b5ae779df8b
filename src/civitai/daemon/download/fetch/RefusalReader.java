package civitai.daemon.download.fetch;

import java.net.URI;

/**
 * Turns an answer that is not the file into a reason a user can act on, for the hosts it knows
 * (Civitai's own wording of a login wall, early access, an archived model). The engine words
 * every other answer itself ({@link PlainRefusals}). Implementations are pure and thread-safe.
 */
public interface RefusalReader {
    /** Knows no host: every refusal gets the engine's plain wording. */
    RefusalReader NONE = (from, status, contentType, excerpt) -> null;

    /**
     * Why it is not the file.
     *
     * @param code    short and stable, for the database and metrics (e.g. {@code auth_required})
     * @param message for people: printable text, never the raw body
     */
    public record Reason(String code, String message) {}

    /**
     * The reason for an answer from {@code from}, or null when this reader does not know that
     * host. {@code excerpt} is the start of the body as printable text (possibly empty).
     */
    Reason read(URI from, int status, String contentType, String excerpt);

    /** This reader's reason for the hosts it knows; {@code other}'s for the rest. */
    default RefusalReader or(RefusalReader other) {
        return (from, status, contentType, excerpt) -> {
            Reason mine = read(from, status, contentType, excerpt);
            return mine != null ? mine : other.read(from, status, contentType, excerpt);
        };
    }
}
