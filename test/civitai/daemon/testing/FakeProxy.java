package civitai.daemon.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A forward HTTP proxy on 127.0.0.1, enough for the daemon's traffic: absolute-form requests
 * ({@code GET http://host/path}) forwarded one per connection, and {@code CONNECT host:port}
 * tunnels. With a user and password it answers 407 until {@code Proxy-Authorization} is right.
 * Records each request line with the Proxy-Authorization it carried, and every header it forwarded.
 */
public final class FakeProxy implements AutoCloseable {
    /** One request the proxy saw: its request line and the headers as they came. */
    public record Seen(String requestLine, List<String> headers, int answered) {
        public String header(String name) {
            return headers.stream().filter(h ->
                    h.regionMatches(true, 0, name + ":", 0, name.length() + 1))
                    .map(h -> h.substring(name.length() + 1).strip()).findFirst().orElse(null);
        }
    }

    private static final int MAX_HEAD = 64 * 1024;
    private final ServerSocket server;
    private final String expectedAuth;
    private final List<Seen> seen = new CopyOnWriteArrayList<>();
    private final Thread acceptor;

    /** @param user null for a proxy that asks no credentials */
    public FakeProxy(String user, String password) throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        expectedAuth = user == null ? null : "Basic " + Base64.getEncoder()
                .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
        acceptor = Thread.ofVirtual().start(this::acceptUntilClosed);
    }

    public int port() {
        return server.getLocalPort();
    }

    public List<Seen> seen() {
        return List.copyOf(seen);
    }

    private void acceptUntilClosed() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                Thread.ofVirtual().start(() -> serve(client));
            } catch (IOException e) {
                return;  // closed
            }
        }
    }

    private void serve(Socket client) {
        try (client) {
            InputStream in = client.getInputStream();
            OutputStream out = client.getOutputStream();
            for (int requests = 0; requests < 20; requests++) {  // a 407 keeps the connection
                List<String> head = readHead(in);
                if (head.isEmpty()) {
                    return;
                }
                String line = head.get(0);
                List<String> headers = head.subList(1, head.size());
                Seen s = new Seen(line, List.copyOf(headers), 0);
                if (expectedAuth != null && !expectedAuth.equals(s.header("Proxy-Authorization"))) {
                    seen.add(new Seen(line, s.headers(), 407));
                    skipBody(in, s);
                    out.write(("HTTP/1.1 407 Proxy Authentication Required\r\n"
                            + "Proxy-Authenticate: Basic realm=\"fake\"\r\n"
                            + "Content-Length: 0\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
                    out.flush();
                    continue;
                }
                seen.add(new Seen(line, s.headers(), 200));
                if (line.startsWith("CONNECT ")) {
                    tunnel(client, line.split(" ")[1], out);
                } else {
                    forward(client, line, headers);
                }
                return;
            }
        } catch (IOException e) {
            // a side closed: the exchange is over
        }
    }

    private static void tunnel(Socket client, String hostPort, OutputStream out)
            throws IOException {
        int colon = hostPort.lastIndexOf(':');
        try (Socket origin = new Socket()) {
            origin.connect(new InetSocketAddress(hostPort.substring(0, colon)
                    .replaceAll("[\\[\\]]", ""), Integer.parseInt(hostPort.substring(colon + 1))),
                    5000);
            out.write("HTTP/1.1 200 Connection established\r\n\r\n"
                    .getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            pipe(client, origin);
        }
    }

    private static void forward(Socket client, String line, List<String> headers)
            throws IOException {
        String[] parts = line.split(" ");
        URI target = URI.create(parts[1]);
        int port = target.getPort() < 0 ? 80 : target.getPort();
        try (Socket origin = new Socket()) {
            origin.connect(new InetSocketAddress(target.getHost(), port), 5000);
            StringBuilder head = new StringBuilder(parts[0] + " " + target.getRawPath()
                    + (target.getRawQuery() == null ? "" : "?" + target.getRawQuery()) + " "
                    + parts[2] + "\r\n");
            for (String h : headers) {
                String lower = h.toLowerCase();
                if (!lower.startsWith("proxy-authorization:")
                        && !lower.startsWith("proxy-connection:")
                        && !lower.startsWith("connection:")) {
                    head.append(h).append("\r\n");
                }
            }
            head.append("Connection: close\r\n\r\n");
            origin.getOutputStream().write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
            origin.getOutputStream().flush();
            pipe(client, origin);
        }
    }

    /** Copies both ways until either side closes. */
    private static void pipe(Socket client, Socket origin) throws IOException {
        Thread up = Thread.ofVirtual().start(() -> {
            try {
                client.getInputStream().transferTo(origin.getOutputStream());
                origin.shutdownOutput();
            } catch (IOException e) {
                // closed
            }
        });
        try {
            origin.getInputStream().transferTo(client.getOutputStream());
            client.shutdownOutput();
        } finally {
            up.interrupt();
        }
    }

    private static List<String> readHead(InputStream in) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                return List.of();
            }
            buf.write(b);
            matched = (b == '\r' && matched % 2 == 0) || (b == '\n' && matched % 2 == 1)
                    ? matched + 1 : 0;
            if (buf.size() > MAX_HEAD) {
                throw new IOException("request head too long");
            }
        }
        List<String> lines = new ArrayList<>(List.of(buf.toString(StandardCharsets.ISO_8859_1)
                .split("\r\n")));
        lines.removeIf(String::isEmpty);
        return lines;
    }

    private static void skipBody(InputStream in, Seen s) throws IOException {
        String length = s.header("Content-Length");
        if (length != null) {
            in.skipNBytes(Long.parseLong(length.strip()));
        }
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException e) {
            // already closed
        }
        acceptor.interrupt();
    }
}
