package civitai.daemon.http.server;

import java.io.IOException;

/**
 * Reading the request or writing the answer failed because the client went away (closed the
 * connection or timed out): nothing to answer and nothing to log, unlike a handler's own I/O
 * error, which is a 500.
 */
public final class ClientGone extends IOException {
    private static final long serialVersionUID = 1L;

    public ClientGone(IOException cause) {
        super("the client went away", cause);
    }
}
