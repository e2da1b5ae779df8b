/**
 * What every client command stands on: its arguments ({@link civitai.daemon.cli.session.Args}),
 * finding the daemon from config.json or {@code --url} and calling its API
 * ({@link civitai.daemon.cli.session.DaemonClient}), the streams and client of one run
 * ({@link civitai.daemon.cli.session.Session}), following the event stream on a redrawn screen,
 * the exit codes, and the secrets file the token command and installer share. Imports nothing of
 * the commands above it, nor of the daemon's engine.
 */
package civitai.daemon.cli.session;
