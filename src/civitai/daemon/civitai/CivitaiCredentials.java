package civitai.daemon.civitai;

import civitai.daemon.download.fetch.host.HostCredentials;
import java.net.URI;

/**
 * What the download engine sends Civitai: the API key as a Bearer token to the Civitai host
 * alone, never to the storage host its downloads redirect to. Pure; thread-safe.
 */
public final class CivitaiCredentials {
    private CivitaiCredentials() {}

    /** {@code apiKey} (null or blank: none) for {@code civitaiUrl}'s host. */
    public static HostCredentials of(URI civitaiUrl, String apiKey) {
        return HostCredentials.bearer(civitaiUrl, apiKey);
    }
}
