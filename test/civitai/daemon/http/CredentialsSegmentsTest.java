package civitai.daemon.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import civitai.daemon.testing.Bytes;
import civitai.daemon.testing.DaemonTest;
import civitai.daemon.testing.TestDaemon;
import com.eclipsesource.json.JsonArray;
import com.sun.net.httpserver.HttpServer;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** A Basic-auth host that serves ranges: every segment's connection must carry the credentials. */
class CredentialsSegmentsTest extends DaemonTest {
    @Test
    void segmentedDownloadOfAUrlWithUserInfo_sendsBasicAuthOnEveryConnection() throws Exception {
        byte[] content = Bytes.random(2_000_000, 5);
        String expected = "Basic " + Base64.getEncoder()
                .encodeToString("u:p4ss".getBytes(StandardCharsets.UTF_8));
        List<String> seen = new CopyOnWriteArrayList<>();
        HttpServer host = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(),
                0), 16);
        host.createContext("/m.safetensors", ex -> {
            try (ex) {
                String auth = ex.getRequestHeaders().getFirst("Authorization");
                seen.add(auth + " " + ex.getRequestHeaders().getFirst("Range"));
                if (!expected.equals(auth)) {
                    ex.sendResponseHeaders(401, -1);
                    return;
                }
                ex.getResponseHeaders().set("Accept-Ranges", "bytes");
                ex.getResponseHeaders().set("ETag", "\"v1\"");
                long from = 0;
                long to = content.length - 1;
                String range = ex.getRequestHeaders().getFirst("Range");
                Matcher m = range == null ? null
                        : Pattern.compile("bytes=(\\d+)-(\\d*)").matcher(range);
                if (m != null && m.matches()) {
                    from = Long.parseLong(m.group(1));
                    to = m.group(2).isEmpty() ? to : Math.min(to, Long.parseLong(m.group(2)));
                    ex.getResponseHeaders().set("Content-Range",
                            "bytes " + from + "-" + to + "/" + content.length);
                    ex.sendResponseHeaders(206, to - from + 1);
                } else {
                    ex.sendResponseHeaders(200, content.length);
                }
                try (OutputStream out = ex.getResponseBody()) {
                    for (long i = from; i <= to; i += 16_384) {
                        out.write(content, (int) i, (int) Math.min(16_384, to - i + 1));
                        out.flush();
                        Thread.sleep(2);  // slow enough for the connections to split the file
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        });
        host.start();
        try {
            String url = "http://u:p4ss@127.0.0.1:" + host.getAddress().getPort()
                    + "/m.safetensors";
            start(config("connections_per_download", 4, "min_segment_size", 65_536),
                    new JsonArray().add(TestDaemon.entry("lora", "m.safetensors",
                            URI.create(url), Bytes.sha256(content))));
            long id = daemon.idOf("m.safetensors");
            var job = daemon.await(id, "completed");
            assertArrayEquals(content, Files.readAllBytes(daemon.models()
                    .resolve("lora/m.safetensors")));
            assertEquals(List.of(), seen.stream().filter(s -> !s.startsWith(expected)).toList(),
                    "requests without the credentials; job: " + job);
        } finally {
            host.stop(0);
        }
    }
}
