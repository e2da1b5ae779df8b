package civitai.daemon.civitai;

import civitai.daemon.download.fetch.RateGate;
import civitai.daemon.download.fetch.RefusalReader;
import java.net.URI;

/**
 * Reads the download engine's refusals from the Civitai host in Civitai's terms ({@link Refusal}:
 * a login wall, early access, an archived model); answers from other hosts are left to the
 * engine's own wording. Pure; thread-safe.
 */
public record CivitaiRefusals(RateGate civitaiHost) implements RefusalReader {
    @Override
    public Reason read(URI from, int status, String contentType, String excerpt) {
        if (!civitaiHost.covers(from)) {
            return null;
        }
        Refusal refusal = Refusal.of(status, contentType, excerpt);
        return refusal == null ? null : new Reason(refusal.code(), refusal.message());
    }
}
