package civitai.daemon.config;

import java.net.URI;
import java.util.Objects;

/**
 * Where the Hugging Face Hub is asked and with which token: {@code hf_endpoint} (a mirror such
 * as hf-mirror works; what {@code HF_ENDPOINT} is for huggingface_hub) and {@code hf_token}
 * (or {@code HF_TOKEN}), sent to the endpoint's host alone.
 *
 * @param endpoint every Hub request goes here; huggingface.co links are fetched through it
 * @param token    null for none (public repos need none); a secret
 */
public record HubSettings(URI endpoint, String token) {
    public static final String DEFAULT_ENDPOINT = "https://huggingface.co";

    public HubSettings {
        Objects.requireNonNull(endpoint, "endpoint");
    }

    @Override
    public String toString() {
        return "HubSettings[endpoint=" + endpoint + ", token="
                + (token == null ? "none" : "(secret)") + "]";
    }
}
