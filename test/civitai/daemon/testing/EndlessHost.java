package civitai.daemon.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A host on 127.0.0.1 that answers every request with 200, {@code Connection: close} and no
 * Content-Length, then sends bytes until the client hangs up or {@code limit} bytes are out: the
 * close-delimited body the JDK's own server cannot send (it frames a body without a length as
 * chunked). Counts what it sent. Each connection runs on a virtual thread of its own.
 */
public final class EndlessHost implements AutoCloseable {
    private static final byte[] HEAD = ("HTTP/1.1 200 OK\r\nContent-Type:"
            + " application/octet-stream\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII);

    private final ServerSocket server;
    private final byte[] pattern;
    private final long limit;
    private final AtomicLong sent = new AtomicLong();
    private final AtomicInteger requests = new AtomicInteger();

    /** @param limit the most one answer sends: the test's bound, far beyond any expected size */
    public EndlessHost(byte[] pattern, long limit) throws IOException {
        this.pattern = pattern.clone();
        this.limit = limit;
        this.server = new ServerSocket(0, 16, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().name("endless-accept").start(this::accept);
    }

    public URI url(String name) {
        return URI.create("http://127.0.0.1:" + server.getLocalPort() + "/files/" + name);
    }

    /** Body bytes sent over all answers. */
    public long bytesSent() {
        return sent.get();
    }

    public int requests() {
        return requests.get();
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                Thread.ofVirtual().name("endless-conn").start(() -> answer(s));
            } catch (IOException e) {
                return;  // closed
            }
        }
    }

    private void answer(Socket socket) {
        try (socket; InputStream in = socket.getInputStream(); OutputStream out =
                socket.getOutputStream()) {
            if (!readHead(in)) {
                return;
            }
            requests.incrementAndGet();
            out.write(HEAD);
            for (long n = 0; n < limit && !server.isClosed(); n += pattern.length) {
                int piece = (int) Math.min(pattern.length, limit - n);
                out.write(pattern, 0, piece);
                sent.addAndGet(piece);
            }
        } catch (IOException e) {
            // the client hung up: what a bounded reader does
        }
    }

    /**
     * Reads the request's head (up to the blank line, at most 64 KiB); false when it ended first.
     */
    private static boolean readHead(InputStream in) throws IOException {
        int matched = 0;
        for (int i = 0, b; i < 65_536 && (b = in.read()) >= 0; i++) {
            matched = b == (matched % 2 == 0 ? '\r' : '\n') ? matched + 1 : b == '\r' ? 1 : 0;
            if (matched == 4) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
