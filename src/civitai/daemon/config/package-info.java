/**
 * config.json: every key with its default and validation, secrets from the environment, and the
 * choice of port with its atomic write-back. Each key is parsed once, into the type its user
 * takes: the {@code target} values ({@code Layout}, {@code ExistingFiles}, {@code ReuseMode}),
 * and the values kept here because the packages that use them import {@code config}
 * ({@code ManifestMode}, {@code FilePreferences}, {@code AddressRange}). Imports nothing of the
 * daemon but {@code target}.
 */
package civitai.daemon.config;
