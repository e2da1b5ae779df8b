import com.sun.net.httpserver.HttpServer;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A loopback stand-in for the Hugging Face Hub for the benchmark: {@code HEAD|GET
 * /{owner}/{name}/resolve/{revision}/{path}} answers as the Hub does for an LFS file, a 302 with
 * {@code Location} at the CDN (CDN_BASE/{file name}, another server: nginx in bench/bench.sh) and
 * {@code X-Repo-Commit}, {@code X-Linked-Etag} (the file's SHA-256, quoted) and
 * {@code X-Linked-Size}. Any repo holds the FILEs given, by their names, at one commit; the
 * revision is {@code main} or that commit, else 404 RevisionNotFound; another path is 404
 * EntryNotFound. The SHA-256s are computed before the port is printed. Counts the requests on
 * stderr at exit. Run: java bench/HubStub.java CDN_BASE FILE...
 */
public class HubStub {
    private record Served(String sha256, long size) {}

    public static void main(String[] args) throws Exception {
        String cdn = args[0].replaceAll("/+$", "");
        Map<String, Served> files = new ConcurrentHashMap<>();
        for (int i = 1; i < args.length; i++) {
            Path f = Path.of(args[i]);
            files.put(f.getFileName().toString(), new Served(sha256(f), Files.size(f)));
        }
        String commit = sha1Hex(String.join(",", files.keySet()) + files.values());
        AtomicLong heads = new AtomicLong();
        AtomicLong gets = new AtomicLong();
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        server.createContext("/", ex -> {
            try (ex) {
                ex.getRequestBody().readAllBytes();
                (ex.getRequestMethod().equals("HEAD") ? heads : gets).incrementAndGet();
                String[] p = ex.getRequestURI().getPath().substring(1).split("/", 5); // owner, name, resolve, rev, path
                if (p.length < 5 || !p[2].equals("resolve")) {
                    ex.sendResponseHeaders(404, -1);
                    return;
                }
                if (!p[3].equals("main") && !p[3].equals(commit)) {
                    ex.getResponseHeaders().set("X-Error-Code", "RevisionNotFound");
                    ex.sendResponseHeaders(404, -1);
                    return;
                }
                Served f = files.get(p[4]);
                if (f == null) {
                    ex.getResponseHeaders().set("X-Error-Code", "EntryNotFound");
                    ex.sendResponseHeaders(404, -1);
                    return;
                }
                ex.getResponseHeaders().set("X-Repo-Commit", commit);
                ex.getResponseHeaders().set("X-Linked-Etag", "\"" + f.sha256() + "\"");
                ex.getResponseHeaders().set("X-Linked-Size", Long.toString(f.size()));
                // signed like the Hub's CDN links; nginx ignores the query
                ex.getResponseHeaders().set("Location", cdn + "/" + p[4] + "?X-Amz-Signature=bench");
                ex.sendResponseHeaders(302, -1);
            }
        });
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        Runtime.getRuntime().addShutdownHook(new Thread(() ->
                System.err.println("hub requests: " + heads.get() + " HEAD, " + gets.get() + " GET")));
        server.start();
        System.out.println(server.getAddress().getPort());
    }

    private static String sha256(Path f) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        byte[] buf = new byte[1 << 20];
        try (InputStream in = Files.newInputStream(f)) {
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }

    private static String sha1Hex(String s) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(s.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }
}
