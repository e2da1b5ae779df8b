/**
 * Hugging Face as a source beside Civitai: what a Hub link or entry names (a repo, a revision, a
 * file), resolved against the configured {@code hf_endpoint} so a mirror works too; the sidecar
 * beside a downloaded file, and the update check of entries asked at a branch. Every request to
 * the Hub goes through {@code HubRequests}: the token to the endpoint's host only, and the Hub's
 * one rate gate, which the engine's downloads from the endpoint share. Imports the engine's
 * {@code download.fetch} (the gate, Retry-After, the refusal reader), {@code manifest},
 * {@code events}, {@code config} and {@code log}.
 */
package civitai.daemon.huggingface;
