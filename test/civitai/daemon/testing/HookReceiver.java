package civitai.daemon.testing;

import com.eclipsesource.json.Json;
import com.eclipsesource.json.JsonObject;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;

/** A webhook receiver on 127.0.0.1 that answers 204 and keeps every delivery's JSON body. */
public final class HookReceiver implements AutoCloseable {
    private final HttpServer server;
    private final List<JsonObject> hooks = new CopyOnWriteArrayList<>();

    private HookReceiver() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        server.createContext("/hook", ex -> {
            try (ex) {
                hooks.add(Json.parse(new String(ex.getRequestBody().readAllBytes(),
                        StandardCharsets.UTF_8)).asObject());
                ex.sendResponseHeaders(204, -1);
            }
        });
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.start();
    }

    public static HookReceiver start() {
        try {
            return new HookReceiver();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Where the daemon delivers: the {@code webhook_url} to configure. */
    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/hook";
    }

    /** Every delivery so far, in the order received. */
    public List<JsonObject> hooks() {
        return hooks;
    }

    /** How many deliveries of {@code event} came so far. */
    public long count(String event) {
        return hooks.stream().filter(h -> h.getString("event", "").equals(event)).count();
    }

    /** The first delivery of {@code event}, waited for. */
    public JsonObject await(String event) {
        Poll.until(() -> count(event) > 0, () -> event + " webhook");
        return hooks.stream().filter(h -> h.getString("event", "").equals(event)).findFirst()
                .orElseThrow();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
