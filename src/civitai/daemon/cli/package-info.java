/**
 * The command-line client ({@code civitai-daemon status|list|add|...}): finds the daemon from its
 * config.json or {@code --url}, calls the REST API over {@code java.net.http.HttpClient}, and
 * prints aligned tables or the API's JSON; returns exit codes 0–3 (and 4–5 from {@code workflow})
 * rather than exiting, so every command runs in-process in tests. Also {@code token} and the
 * installer's {@code config-merge}. The commands live here; what they stand on is in
 * {@code cli.session} (arguments, the daemon's API, exit codes) and {@code cli.view} (tables and
 * formats), which never import a command.
 */
package civitai.daemon.cli;
