/**
 * Civitai as a source: its REST API ({@code CivitaiClient}, behind the one rate gate of Civitai's
 * host), what a reference names (a link, an AIR, ids or a hash: {@code Reference},
 * {@code HashLookup}) and which file of which version it means ({@code Resolver},
 * {@code Versions}, {@code FileScore}), the model types Civitai speaks, the sidecars beside a
 * downloaded file, the daily update check (Hub entries included, through {@code huggingface}),
 * and what Civitai's refusals mean (login required, early access, archived, a quota) in reasons a
 * user can act on. The engine sees it only through the credentials and refusal reader the root
 * hands it.
 */
package civitai.daemon.civitai;
