package civitai.chaos;

import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Slow clients: each connects, sends the start of a request line, then one byte a second and
 * never finishes. Counts those refused at connect and those the daemon cut (a write or read
 * that fails). Not thread-safe: one thread drives it.
 */
final class Slowloris implements AutoCloseable {
    private final int port;
    private final int count;
    private final List<Socket> open = new ArrayList<>();
    int opened;
    int refused;
    int cut;

    Slowloris(int port, int count) {
        this.port = port;
        this.count = count;
    }

    void open(Stage stage) {
        byte[] start = "GET /api/status HTTP/1.1\r\nHost: 127.0.0.1\r\nX-a: "
                .getBytes(StandardCharsets.ISO_8859_1);
        for (int i = 0; i < count && !stage.overTime(); i++) {
            Socket s = HostileRun.connect(port);
            if (s == null) {
                refused++;
                continue;
            }
            opened++;
            try {
                s.getOutputStream().write(start, 0, 10 + (i % (start.length - 10)));
                open.add(s);
            } catch (IOException e) {
                cut++;
                close(s);
            }
        }
    }

    /** One more byte from each client still open. */
    void drip() {
        for (int i = open.size() - 1; i >= 0; i--) {
            Socket s = open.get(i);
            try {
                s.getOutputStream().write('a');
            } catch (IOException e) {
                cut++;
                close(s);
                open.remove(i);
            }
        }
    }

    private static void close(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // already gone
        }
    }

    @Override
    public void close() {
        open.forEach(Slowloris::close);
        open.clear();
    }
}
