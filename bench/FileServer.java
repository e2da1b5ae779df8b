import com.sun.net.httpserver.HttpServer;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Executors;

/**
 * A loopback file server for the benchmarks: serves the files of one folder at /NAME with an
 * ETag and Range support, copying with FileChannel.transferTo (sendfile). Prints its port.
 * Run: java bench/FileServer.java FOLDER
 */
public class FileServer {
    public static void main(String[] args) throws Exception {
        Path root = Path.of(args[0]);
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        server.createContext("/", ex -> {
            try (ex) {
                Path file = root.resolve(ex.getRequestURI().getPath().substring(1)).normalize();
                if (!file.startsWith(root) || !Files.isRegularFile(file)) {
                    ex.sendResponseHeaders(404, -1);
                    return;
                }
                long size = Files.size(file);
                long start = 0;
                String range = ex.getRequestHeaders().getFirst("Range");
                if (range != null && range.startsWith("bytes=")) {
                    start = Long.parseLong(range.substring(6, range.indexOf('-')));
                    ex.getResponseHeaders().set("Content-Range", "bytes " + start + "-" + (size - 1) + "/" + size);
                }
                ex.getResponseHeaders().set("Content-Type", "application/octet-stream");
                ex.getResponseHeaders().set("ETag", "\"" + size + "-" + Files.getLastModifiedTime(file).toMillis() + "\"");
                ex.sendResponseHeaders(start > 0 ? 206 : 200, size - start);
                try (FileChannel in = FileChannel.open(file); OutputStream out = ex.getResponseBody()) {
                    var sink = Channels.newChannel(out);
                    for (long pos = start; pos < size; ) {
                        pos += in.transferTo(pos, size - pos, sink);
                    }
                }
            }
        });
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.start();
        System.out.println(server.getAddress().getPort());
    }
}
