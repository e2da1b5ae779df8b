/**
 * Hugging Face as a source beside Civitai: what a Hub link or entry names (a repo, a revision, a
 * file), resolved against the configured {@code hf_endpoint} so a mirror works too.
 */
package civitai.daemon.huggingface;
