package civitai.daemon.download.fetch.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.net.URI;
import org.junit.jupiter.api.Test;

/** A host's credential goes to that host alone: never to another host, nor another port of it. */
class HostCredentialsTest {
    private final HostCredentials hub =
            HostCredentials.bearer(URI.create("https://hub.example/api"), "tok-123");

    @Test
    void theTokenGoesToItsHost_onAnyPath() {
        assertEquals(new HostCredentials.Header("Authorization", "Bearer tok-123"),
                hub.headerFor(URI.create("https://hub.example/files/model.safetensors")));
        assertEquals("Bearer tok-123",
                hub.headerFor(URI.create("https://HUB.example:443/x")).value(),
                "the default port, and a host in capitals, are the same host");
    }

    @Test
    void neverToTheHostItRedirectsTo_norAnotherPortOrScheme() {
        assertNull(hub.headerFor(URI.create("https://cdn.hub.example/signed?x=1")));
        assertNull(hub.headerFor(URI.create("https://hub.example:8443/x")));
        assertNull(hub.headerFor(URI.create("http://hub.example/x")));
    }

    @Test
    void noToken_noHeader_andAHeaderNeverPrintsItsSecret() {
        assertNull(HostCredentials.bearer(URI.create("https://hub.example/"), " ").headerFor(
                URI.create("https://hub.example/x")));
        assertNull(HostCredentials.NONE.headerFor(URI.create("https://hub.example/x")));
        assertFalse(new HostCredentials.Header("Authorization", "Bearer tok-123").toString()
                .contains("tok-123"));
    }
}
