package civitai.daemon.cli;

import java.net.URI;

/**
 * Where the daemon is and how to call it: its base URL, the bearer token to send (null for none),
 * and where the URL came from, for messages ("from /var/lib/civitai-daemon/config.json").
 */
record Target(URI base, String token, String source) {}
