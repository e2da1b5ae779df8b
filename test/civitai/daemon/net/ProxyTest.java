package civitai.daemon.net;

import static civitai.daemon.testing.TestDaemon.entry;
import static civitai.daemon.testing.TestDaemon.manifest;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import civitai.daemon.testing.Bytes;
import civitai.daemon.testing.DaemonTest;
import civitai.daemon.testing.FakeProxy;
import civitai.daemon.testing.Poll;
import com.eclipsesource.json.JsonArray;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The daemon's outbound traffic through a real forward proxy on loopback that asks for credentials.
 */
class ProxyTest extends DaemonTest {
    static final String AUTH = "Basic "
            + Base64.getEncoder().encodeToString("scott:ti ger+1".getBytes());
    FakeProxy proxy;

    @BeforeEach
    void startProxy() throws IOException {
        proxy = new FakeProxy("scott", "ti ger+1");
    }

    @AfterEach
    void stopProxy() {
        proxy.close();
    }

    private String proxyUrl() {
        return "http://scott:ti%20ger+1@127.0.0.1:" + proxy.port();
    }

    private List<FakeProxy.Seen> seen(String prefix) {
        return proxy.seen().stream().filter(s -> s.requestLine().startsWith(prefix)).toList();
    }

    @Test
    void civitaiAndTheDownload_goThroughTheProxy_andTheKeyOnlyToCivitai() throws IOException {
        byte[] content = Bytes.random(200_000, 3);
        var file = civitai.addVersion(777_001, "proxied.safetensors", content);
        start(config("proxy", proxyUrl()).set("no_proxy", new JsonArray()),
                manifest(entry("lora", "proxied.safetensors", civitai.downloadUrl(file.versionId()),
                        civitai.sha256(file.versionId()))));
        daemon.await(1, "completed");

        assertTrue(Bytes.sha256(Files.readAllBytes(daemon.models()
                .resolve("lora/proxied.safetensors"))).equals(civitai.sha256(file.versionId())),
                "the file arrived whole through the proxy");
        List<FakeProxy.Seen> toCivitai = seen("GET " + civitai.base());
        List<FakeProxy.Seen> toStorage = seen("GET " + storage.base());
        assertTrue(!toCivitai.isEmpty() && !toStorage.isEmpty(),
                "both hosts were reached through it: " + proxy.seen());
        assertEquals(407, proxy.seen().get(0).answered(), "the proxy asked for credentials first");
        assertTrue(proxy.seen().stream().filter(s -> s.answered() == 200)
                .allMatch(s -> AUTH.equals(s.header("Proxy-Authorization"))));
        assertTrue(toCivitai.stream().filter(s -> s.answered() == 200)
                .allMatch(s -> "Bearer test-api-key-0123456789".equals(s.header("Authorization"))));
        assertTrue(toStorage.stream().allMatch(s -> s.header("Authorization") == null),
                "no key to the storage host");
        assertTrue(storage.requests().stream()
                .allMatch(r -> r.header("Proxy-Authorization") == null),
                "the proxy's credentials stop at the proxy");
        assertTrue(daemon.log("download.log")
                .contains("outbound connections: through http://127.0.0.1:" + proxy.port()));
        assertTrue(!daemon.log("download.log").contains("ti%20ger+1"),
                "the proxy's password is not logged");
    }

    @Test
    void noProxyHosts_connectDirectly_byDefault() {
        byte[] content = Bytes.random(50_000, 4);
        start(config("proxy", proxyUrl()), manifest(entry("lora", "direct.safetensors",
                storage.put("direct", content), Bytes.sha256(content))));
        daemon.await(1, "completed");
        assertEquals(List.of(), proxy.seen(), "127.0.0.1 is in the default no_proxy");
    }

    @Test
    void httpsUrls_openACredentialedConnectTunnel() {
        URI https = URI.create("https://127.0.0.1:" + storage.base().getPort() + "/tunnelled");
        start(config("proxy", proxyUrl(), "retries", 0).set("no_proxy", new JsonArray()),
                manifest(entry("lora", "t.safetensors", https, null)));
        Poll.until(() -> seen("CONNECT").stream().anyMatch(s -> s.answered() == 200),
                () -> "an authorised CONNECT: " + proxy.seen());
        FakeProxy.Seen connect = seen("CONNECT").stream().filter(s -> s.answered() == 200)
                .findFirst().orElseThrow();
        assertEquals("CONNECT 127.0.0.1:" + storage.base().getPort() + " HTTP/1.1",
                connect.requestLine());
        assertEquals(AUTH, connect.header("Proxy-Authorization"));
        assertNull(connect.header("Authorization"),
                "nothing of the request itself is on the CONNECT");
        assertTrue(seen("GET").isEmpty(), "the request itself went inside the tunnel");
        daemon.await(1, "failed");  // the fake storage host speaks plain http inside the tunnel
    }

}
