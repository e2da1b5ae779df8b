/**
 * Entries in: a raw entry, a Civitai reference (link, AIR, ids, a hash) or a Hugging Face link,
 * resolved and checked into a manifest entry, recorded and queued — one intake for
 * {@code /api/download}, {@code /api/batch} and workflows.
 */
package civitai.daemon.http.intake;
