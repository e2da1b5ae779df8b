package civitai.chaos;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/** HTTP/1.1 by hand, so a request can be anything: raw bytes out, the status line back. */
final class RawHttp {
    private RawHttp() {}

    /**
     * The answer's status, 0 when the connection closed without one, -1 on a timeout or refusal.
     */
    static int send(int port, byte[] request, int timeoutMillis) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), timeoutMillis);
            s.setSoTimeout(timeoutMillis);
            try {
                s.getOutputStream().write(request);
                s.getOutputStream().flush();
            } catch (IOException e) {
                // the server may answer (413, 400) and close before the whole body is sent
            }
            return status(s.getInputStream());
        } catch (SocketTimeoutException e) {
            return -1;
        } catch (IOException e) {
            return e.getMessage() != null && e.getMessage().contains("reset") ? 0 : -1;
        }
    }

    static int status(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b; (b = in.read()) >= 0 && b != '\n' && line.size() < 200;) {
            line.write(b);
        }
        String l = line.toString(StandardCharsets.ISO_8859_1);
        if (!l.startsWith("HTTP/1.")) {
            return 0;
        }
        return Integer.parseInt(l.substring(9, 12));
    }

    /** A request with a Host of 127.0.0.1:port, the body's Content-Length and Connection: close. */
    static byte[] request(int port, String method, String target, String extraHeaders,
            byte[] body) {
        String head = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\n"
                + extraHeaders + (body == null ? ""
                        : "Content-Type: application/json\r\nContent-Length: " + body.length
                + "\r\n") + "Connection: close\r\n\r\n";
        return concat(head.getBytes(StandardCharsets.ISO_8859_1),
                body == null ? new byte[0] : body);
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
