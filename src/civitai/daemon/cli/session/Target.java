package civitai.daemon.cli.session;

import java.net.URI;

/**
 * Where the daemon is and how to call it: its base URL, the bearer token to send (null for none),
 * and where the URL came from, for messages ("from /var/lib/civitai-daemon/config.json").
 */
public record Target(URI base, String token, String source) {}
