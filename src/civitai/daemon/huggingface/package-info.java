/**
 * Hugging Face as a source beside Civitai: what a Hub link or entry names (a repo, a revision, a
 * file), resolved against the configured {@code hf_endpoint} so a mirror works too; the sidecar
 * beside a downloaded file, and the update check of entries asked at a branch.
 */
package civitai.daemon.huggingface;
