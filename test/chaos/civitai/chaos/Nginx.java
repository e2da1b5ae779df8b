package civitai.chaos;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * nginx from Debian's packages serving a folder on a loopback port, in the foreground with its
 * own prefix, pid, temp and log paths under the run's folder (never the system's), each
 * connection limited to {@code limitRate} bytes/s as CDNs do. The access log records the body
 * bytes of every answer, so re-downloaded bytes can be counted.
 */
final class Nginx implements AutoCloseable {
    private final Process process;
    private final int port;
    private final Path accessLog;

    private Nginx(Process process, int port, Path accessLog) {
        this.process = process;
        this.port = port;
        this.accessLog = accessLog;
    }

    static Nginx start(Stage stage, Path root, String limitRate) throws IOException {
        Path prefix = stage.dir.resolve("nginx");
        Files.createDirectories(prefix.resolve("logs"));
        Files.createDirectories(prefix.resolve("tmp"));
        int port = freePort();
        Path conf = prefix.resolve("nginx.conf");
        String tmp = prefix.resolve("tmp").toAbsolutePath().toString();
        Files.writeString(conf, """
                daemon off;
                master_process off;
                worker_processes 1;
                pid %1$s/nginx.pid;
                error_log %1$s/logs/error.log warn;
                events { worker_connections 512; }
                http {
                    types { application/octet-stream safetensors bin; }
                    default_type application/octet-stream;
                    log_format bytes '$uri $status $body_bytes_sent "$http_range"';
                    access_log %1$s/logs/access.log bytes;
                    client_body_temp_path %2$s/body;
                    proxy_temp_path %2$s/proxy;
                    fastcgi_temp_path %2$s/fastcgi;
                    uwsgi_temp_path %2$s/uwsgi;
                    scgi_temp_path %2$s/scgi;
                    sendfile on;
                    server {
                        listen 127.0.0.1:%3$d;
                        root %4$s;
                        limit_rate %5$s;
                        location / { }
                    }
                }
                """.formatted(prefix.toAbsolutePath(), tmp, port, root.toAbsolutePath(), limitRate));
        String binary = Files.isExecutable(Path.of("/usr/sbin/nginx")) ? "/usr/sbin/nginx"
                : "nginx";
        Process p = new ProcessBuilder(List.of(binary, "-p", prefix.toAbsolutePath().toString(),
                "-c", conf.toAbsolutePath().toString())).redirectErrorStream(true)
                .redirectOutput(prefix.resolve("logs/stdout.log").toFile()).start();
        Nginx n = new Nginx(p, port, prefix.resolve("logs/access.log"));
        stage.track(p.pid(), n);
        n.awaitListening();
        return n;
    }

    private void awaitListening() throws IOException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
            try (var s = new Socket("127.0.0.1", port)) {
                s.setSoTimeout(1000);  // listening: nothing to read
                return;
            } catch (IOException e) {
                if (!process.isAlive()) {
                    throw new IOException("nginx exited with " + process.exitValue());
                }
                sleep(50);
            }
        }
        throw new IOException("nginx did not listen on " + port + " within 10 s");
    }

    URI url(String relative) {
        return URI.create("http://127.0.0.1:" + port + "/" + relative);
    }

    /** Body bytes nginx sent for {@code uri} (e.g. {@code /a.bin}), from its access log. */
    long bytesSent(String uri) throws IOException {
        if (!Files.exists(accessLog)) {
            return 0;
        }
        long sum = 0;
        for (String line : Files.readAllLines(accessLog)) {
            String[] f = line.split(" ");
            if (f.length >= 3 && f[0].equals(uri)) {
                sum += Long.parseLong(f[2]);
            }
        }
        return sum;
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
