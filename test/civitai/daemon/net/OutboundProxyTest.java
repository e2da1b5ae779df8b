package civitai.daemon.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import civitai.daemon.config.ProxySettings;
import java.net.Proxy;
import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Which URIs go through the proxy, as curl would decide. */
class OutboundProxyTest {
    static final URI HTTPS_PROXY = URI.create("http://proxy.corp:3128");
    static final URI HTTP_PROXY = URI.create("http://plain.corp:8080");

    private static OutboundProxy proxy(String... noProxy) {
        return new OutboundProxy(new ProxySettings(HTTP_PROXY, HTTPS_PROXY, List.of(noProxy),
                "test"));
    }

    @ParameterizedTest
    @CsvSource({
        "https://civitai.com/api/v1/models/1,   proxy.corp",
        "http://cdn.example/file,               plain.corp",
        "https://internal.corp/x,               direct",
        "https://a.b.internal.corp/x,           direct",
        "https://notinternal.corp/x,            proxy.corp",
        "https://host.lan/x,                    direct",
        "http://10.1.2.3/x,                     direct",
        "http://11.1.2.3/x,                     plain.corp",
        "http://[::1]:8100/x,                   direct",
        "https://localhost/x,                   direct",
        "ftp://civitai.com/x,                   direct",
    })
    void noProxy_matchesNamesDomainsAddressesAndRanges(String uri, String expected) {
        OutboundProxy p = proxy("internal.corp", ".lan", "10.0.0.0/8", "::1", "localhost");
        URI via = p.proxyFor(URI.create(uri));
        assertEquals(expected, via == null ? "direct" : via.getHost());
    }

    @Test
    void aStar_bypassesEverything_andAnEmptyList_nothing() {
        assertNull(proxy("*").proxyFor(URI.create("https://civitai.com/")));
        assertEquals(HTTPS_PROXY, proxy().proxyFor(URI.create("https://127.0.0.1:8443/")));
        Proxy selected = proxy().select(URI.create("https://civitai.com/")).get(0);
        assertEquals("proxy.corp:3128", selected.address().toString().replace("/<unresolved>", ""));
        assertEquals(List.of(Proxy.NO_PROXY),
                new OutboundProxy(ProxySettings.NONE).select(URI.create("https://civitai.com/")));
    }
}
