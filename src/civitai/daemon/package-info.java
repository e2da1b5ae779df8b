/**
 * The daemon's entry point ({@code Main}) and composition root, the only code that knows every
 * part. {@code Daemon} binds the ports, builds the parts in order and closes them in reverse
 * ({@code Shutdown}); each step of the build is a small record that makes its parts from the ones
 * before: {@code Foundation} (store, events, notifications), {@code Sources} (Civitai, sidecars),
 * {@code Engine} (the download queue, the manifest's entries, the library), {@code Updates} (the
 * update check and its schedule). {@code Outbound} is the one HTTP client they share.
 */
package civitai.daemon;
