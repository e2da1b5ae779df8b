package civitai.daemon.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A Hugging Face Hub on 127.0.0.1 and its CDN on another port, answering as the real ones do:
 * {@code /resolve/} answers 302 to a signed CDN URL with X-Repo-Commit, X-Linked-Etag (the LFS
 * file's SHA-256, quoted) and X-Linked-Size; a git-stored file goes by a relative redirect to
 * {@code /api/resolve-cache/} whose 200 carries its git-SHA-1 ETag; a renamed repo answers a
 * relative 307; gated repos 401 GatedRepo without the right token, 403 with a wrong one; 404
 * EntryNotFound / RevisionNotFound; scripted 429s; on request, non-LFS bodies that do not match
 * their ETag, or non-LFS files served from the CDN. The CDN refuses an unsigned URL and records
 * every request's headers, so a test can prove the token never reaches it.
 */
public final class FakeHub implements AutoCloseable {
    /** One request as a server saw it, and when it arrived. */
    public record Seen(String method, String path, String authorization, Instant at) {}

    private record File(byte[] bytes, boolean lfs) {}

    private final HttpServer hub;
    private final HttpServer cdn;
    // commit → path → file
    private final Map<String, Map<String, File>> commits = new ConcurrentHashMap<>();
    private final Map<String, String> heads = new ConcurrentHashMap<>(); // repo@branch → commit
    private final Map<String, String> renamed = new ConcurrentHashMap<>();
    // repo → the token that reaches it
    private final Map<String, String> gated = new ConcurrentHashMap<>();
    private final Set<String> signatures = ConcurrentHashMap.newKeySet();
    private final List<Seen> hubSeen = new CopyOnWriteArrayList<>();
    private final List<Seen> cdnSeen = new CopyOnWriteArrayList<>();
    private final AtomicInteger rateLimited = new AtomicInteger();
    private volatile boolean corruptCdn;
    private volatile boolean corruptNonLfs;
    private volatile boolean nonLfsFromCdn;
    private volatile String rateLimitRetryAfter;
    private volatile boolean rateLimitBare;

    private FakeHub() throws IOException {
        hub = server(this::serveHub);
        cdn = server(this::serveCdn);
    }

    public static FakeHub start() throws IOException {
        return new FakeHub();
    }

    public URI base() {
        return URI.create("http://127.0.0.1:" + hub.getAddress().getPort());
    }

    public URI cdnBase() {
        return URI.create("http://127.0.0.1:" + cdn.getAddress().getPort());
    }

    /**
     * Commits {@code bytes} at {@code path} as a new commit at the branch's head; returns its id.
     */
    public String push(String repo, String branch, String path, byte[] bytes, boolean lfs) {
        String previous = heads.get(repo + "@" + branch);
        Map<String, File> tree = new ConcurrentHashMap<>(previous == null ? Map.of()
                : commits.get(previous));
        tree.put(repo + "/" + path, new File(bytes, lfs));
        String commit = hex(digest("SHA-1",
                UUID.randomUUID().toString().getBytes(StandardCharsets.UTF_8)));
        commits.put(commit, tree);
        heads.put(repo + "@" + branch, commit);
        return commit;
    }

    public void rename(String oldRepo, String newRepo) {
        renamed.put(oldRepo, newRepo);
    }

    public void gate(String repo, String token) {
        gated.put(repo, token);
    }

    /**
     * From now on the CDN serves each file with its first byte changed, as a damaged cache would.
     */
    public void corruptCdn() {
        corruptCdn = true;
    }

    /**
     * From now on a non-LFS file's bytes have their first byte changed; its ETag stays the true
     * one.
     */
    public void corruptNonLfs() {
        corruptNonLfs = true;
    }

    /** From now on a GET of a non-LFS file is redirected to the CDN, as a mirror may do. */
    public void nonLfsFromCdn() {
        nonLfsFromCdn = true;
    }

    /** The next {@code n} requests to the Hub answer 429 with {@code RateLimit: ...;t=7}. */
    public void rateLimitNext(int n) {
        rateLimitNext(n, null);
    }

    /**
     * As {@link #rateLimitNext(int)}, with {@code Retry-After: retryAfter} too when it is not null.
     */
    public void rateLimitNext(int n, String retryAfter) {
        rateLimitRetryAfter = retryAfter;
        rateLimitBare = false;
        rateLimited.set(n);
    }

    /**
     * The next {@code n} requests to the Hub answer a bare 429: neither RateLimit nor Retry-After.
     */
    public void bareRateLimitNext(int n) {
        rateLimitRetryAfter = null;
        rateLimitBare = true;
        rateLimited.set(n);
    }

    public List<Seen> hubSeen() {
        return List.copyOf(hubSeen);
    }

    public List<Seen> cdnSeen() {
        return List.copyOf(cdnSeen);
    }

    public static String sha256(byte[] b) {
        return hex(digest("SHA-256", b));
    }

    public static String gitSha1(byte[] b) {
        byte[] head = ("blob " + b.length + "\0").getBytes(StandardCharsets.UTF_8);
        byte[] all = new byte[head.length + b.length];
        System.arraycopy(head, 0, all, 0, head.length);
        System.arraycopy(b, 0, all, head.length, b.length);
        return hex(digest("SHA-1", all));
    }

    private void serveHub(HttpExchange ex) throws IOException {
        String path = ex.getRequestURI().getPath();
        String auth = ex.getRequestHeaders().getFirst("Authorization");
        hubSeen.add(new Seen(ex.getRequestMethod(), path, auth, Instant.now()));
        if (rateLimited.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            if (!rateLimitBare) {
                ex.getResponseHeaders().set("RateLimit", "\"api\";r=0;t=7");
            }
            if (rateLimitRetryAfter != null) {
                ex.getResponseHeaders().set("Retry-After", rateLimitRetryAfter);
            }
            answer(ex, 429, null);
            return;
        }
        if (path.startsWith("/api/resolve-cache/models/")) {
            serveCache(ex, path.substring("/api/resolve-cache/models/".length()));
            return;
        }
        String[] p = path.substring(1).split("/", 5); // owner, name, resolve, rev, file path
        if (p.length < 5 || !p[2].equals("resolve")) {
            answer(ex, 404, null);
            return;
        }
        String repo = p[0] + "/" + p[1];
        if (renamed.containsKey(repo)) {
            ex.getResponseHeaders().set("Location",
                    "/" + renamed.get(repo) + "/resolve/" + p[3] + "/" + p[4]);
            answer(ex, 307, null);
            return;
        }
        String token = gated.get(repo);
        if (token != null && auth == null) {
            ex.getResponseHeaders().set("X-Error-Code", "GatedRepo");
            ex.getResponseHeaders().set("Content-Type", "application/json");
            answer(ex, 401, ("{\"error\":\"Access to model " + repo + " is restricted. You must"
                    + " have access to it and be authenticated to access it. Please log in.\"}")
                            .getBytes(StandardCharsets.UTF_8));
            return;
        }
        if (token != null && !auth.equals("Bearer " + token)) {
            answer(ex, 403, null);
            return;
        }
        String commit = commits.containsKey(p[3]) ? p[3] : heads.get(repo + "@" + p[3]);
        if (commit == null) {
            ex.getResponseHeaders().set("X-Error-Code", "RevisionNotFound");
            answer(ex, 404, null);
            return;
        }
        File f = commits.get(commit).get(repo + "/" + p[4]);
        if (f == null) {
            ex.getResponseHeaders().set("X-Error-Code", "EntryNotFound");
            answer(ex, 404, null);
            return;
        }
        ex.getResponseHeaders().set("X-Repo-Commit", commit);
        if (!f.lfs()) {
            ex.getResponseHeaders().set("Location",
                    "/api/resolve-cache/models/" + repo + "/" + commit + "/" + p[4]);
            answer(ex, 302, null);
            return;
        }
        String sig = UUID.randomUUID().toString();
        signatures.add(sig);
        ex.getResponseHeaders().set("X-Linked-Etag", "\"" + sha256(f.bytes()) + "\"");
        ex.getResponseHeaders().set("X-Linked-Size", Long.toString(f.bytes().length));
        ex.getResponseHeaders().set("Location",
                cdnBase() + "/" + commit + "/" + p[4] + "?sig=" + sig);
        answer(ex, 302, null);
    }

    private void serveCache(HttpExchange ex, String rest) throws IOException {
        String[] p = rest.split("/", 4); // owner, name, commit, file path
        Map<String, File> tree = p.length < 4 ? null : commits.get(p[2]);
        File f = tree == null ? null : tree.get(p[0] + "/" + p[1] + "/" + p[3]);
        if (f == null) {
            answer(ex, 404, null);
            return;
        }
        ex.getResponseHeaders().set("X-Repo-Commit", p[2]);
        ex.getResponseHeaders().set("ETag", "\"" + gitSha1(f.bytes()) + "\"");
        if (nonLfsFromCdn && ex.getRequestMethod().equals("GET")) {
            String sig = UUID.randomUUID().toString();
            signatures.add(sig);
            ex.getResponseHeaders().set("Location",
                    cdnBase() + "/" + p[2] + "/" + p[3] + "?sig=" + sig);
            answer(ex, 302, null);
            return;
        }
        answer(ex, 200, corruptNonLfs ? corrupted(f.bytes()) : f.bytes());
    }

    private static byte[] corrupted(byte[] bytes) {
        if (bytes.length == 0) {
            return bytes;
        }
        byte[] body = bytes.clone();
        body[0] ^= 1;
        return body;
    }

    private void serveCdn(HttpExchange ex) throws IOException {
        String q = ex.getRequestURI().getRawQuery();
        cdnSeen.add(new Seen(ex.getRequestMethod(), ex.getRequestURI().getPath(),
                ex.getRequestHeaders().getFirst("Authorization"), Instant.now()));
        String sig = q != null && q.startsWith("sig=") ? q.substring(4) : "";
        String[] p = ex.getRequestURI().getPath().substring(1).split("/", 2);
        Map<String, File> tree = commits.get(p[0]);
        File f = null;
        if (tree != null && p.length == 2) {
            for (var e : tree.entrySet()) {
                if (e.getKey().endsWith("/" + p[1]) && (e.getValue().lfs() || nonLfsFromCdn)) {
                    f = e.getValue();
                }
            }
        }
        if (!signatures.contains(sig) || f == null) {
            answer(ex, 403, null);
            return;
        }
        answer(ex, 200, corruptCdn || (corruptNonLfs && !f.lfs()) ? corrupted(f.bytes())
                : f.bytes());
    }

    private static void answer(HttpExchange ex, int status, byte[] body) throws IOException {
        boolean head = ex.getRequestMethod().equals("HEAD");
        if (body != null) {
            ex.getResponseHeaders().set("Content-Length", Integer.toString(body.length));
        }
        ex.sendResponseHeaders(status, head || body == null ? -1 : body.length);
        if (!head && body != null) {
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        }
        ex.close();
    }

    private static HttpServer server(HttpHandler h) throws IOException {
        HttpServer s = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                16);
        s.createContext("/", h);
        s.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        s.start();
        return s;
    }

    private static byte[] digest(String alg, byte[] b) {
        try {
            return MessageDigest.getInstance(alg).digest(b);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String hex(byte[] b) {
        return HexFormat.of().formatHex(b);
    }

    @Override
    public void close() {
        hub.stop(0);
        cdn.stop(0);
    }
}
