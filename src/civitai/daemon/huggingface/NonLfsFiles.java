package civitai.daemon.huggingface;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A non-LFS (git-stored) file has no SHA-256 of the Hub's, only its git SHA-1
 * ({@code sha1("blob <len>\0" + bytes)}) as the ETag. Such files are small, so their bytes are
 * fetched here at the pinned commit, checked against that SHA-1, and their SHA-256 becomes what
 * the job expects: the engine then verifies its own download as it does an LFS file's, and the
 * commit is pinned, so the bytes cannot change between the two. A mismatch is refused naming both
 * hashes. Redirects are followed, the token sent to the endpoint's host only. The bytes must all
 * come within a time limit: a Hub that stalls mid-body must not hold a person's add or the update
 * check (a request's own timeout ends with its headers). Thread-safe.
 */
final class NonLfsFiles {
    /** The Hub keeps larger files in LFS; a non-LFS file above this is not read into memory. */
    static final int MAX_BYTES = 10 * 1024 * 1024;

    private final HubRequests requests;
    private final int maxHops;
    private final Duration readWithin;

    NonLfsFiles(HubRequests requests, int maxHops, Duration readWithin) {
        this.requests = requests;
        this.maxHops = maxHops;
        this.readWithin = readWithin;
    }

    /** {@code hub} with the SHA-256 of the file's verified bytes; or why there is none. */
    HubAnswer verify(HfReference ref, HubAnswer.Resolved hub)
            throws IOException, InterruptedException {
        try {
            return read(ref, hub);
        } catch (HubRequests.Held held) {
            return new HubAnswer.RateLimited(held.pause());
        }
    }

    private HubAnswer read(HfReference ref, HubAnswer.Resolved hub)
            throws IOException, InterruptedException, HubRequests.Held {
        if (hub.size() > MAX_BYTES) {
            return tooLarge(ref);
        }
        URI at = hub.pinned();
        for (int hop = 0; hop < maxHops; hop++) {
            HttpResponse<InputStream> r = requests.send("GET", at,
                    HttpResponse.BodyHandlers.ofInputStream());
            byte[] bytes;
            try (InputStream body = r.body()) {
                int status = r.statusCode();
                if (status >= 300 && status < 400) {
                    Optional<String> location = r.headers().firstValue("Location");
                    if (location.isEmpty()) {
                        return new HubAnswer.Failed("a redirect without a Location from "
                                + at.getHost());
                    }
                    at = at.resolve(location.get());
                    continue;
                }
                if (status != 200) {
                    return HubResolver.refusal(ref, r);
                }
                bytes = readWithin(body);
            }
            if (bytes == null) {
                return new HubAnswer.Failed("the Hub sent " + ref.path() + " too slowly:"
                        + " not all of it within " + readWithin.toSeconds() + " s");
            }
            return bytes.length > MAX_BYTES ? tooLarge(ref) : checked(ref, hub, bytes);
        }
        return new HubAnswer.Failed("more than " + maxHops + " redirects for " + ref.path());
    }

    /** At most MAX_BYTES + 1 of the body; null when they did not come within readWithin. */
    private byte[] readWithin(InputStream body) throws IOException, InterruptedException {
        CompletableFuture<byte[]> read = new CompletableFuture<>();
        Thread reader = Thread.ofVirtual().name("hub-read").start(() -> {
            try {
                read.complete(body.readNBytes(MAX_BYTES + 1));
            } catch (IOException | RuntimeException e) {
                read.completeExceptionally(e);
            }
        });
        try {
            return read.get(readWithin.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            return null;
        } catch (ExecutionException e) {
            throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
        } finally {
            reader.interrupt();  // a read still blocked ends (the body is closed by the caller)
        }
    }

    private static HubAnswer checked(HfReference ref, HubAnswer.Resolved hub, byte[] bytes) {
        String sha1 = gitSha1(bytes);
        if (!sha1.equals(hub.gitSha1())) {
            return new HubAnswer.Refused("hash_mismatch",
                    "the Hub names git SHA-1 " + hub.gitSha1() + " for " + ref.path()
                    + " at commit " + hub.commit() + " but the bytes it sent hash to " + sha1
                    + "; nothing was queued");
        }
        String sha256 = hex(digest("SHA-256").digest(bytes));
        return new HubAnswer.Resolved(hub.commit(), sha256, sha1, bytes.length, hub.pinned());
    }

    private static HubAnswer tooLarge(HfReference ref) {
        return new HubAnswer.Refused("too_large", ref.path() + " in " + ref.repo()
                + " is a non-LFS file larger than " + MAX_BYTES / (1024 * 1024) + " MiB: the Hub"
                + " gives no SHA-256 for it, and the daemon reads such a file whole to verify it,"
                + " so it is refused");
    }

    /** Git's object id of a blob: what the Hub's ETag of a non-LFS file is. */
    static String gitSha1(byte[] bytes) {
        MessageDigest sha1 = digest("SHA-1");
        sha1.update(("blob " + bytes.length + "\0").getBytes(StandardCharsets.US_ASCII));
        return hex(sha1.digest(bytes));
    }

    private static MessageDigest digest(String algorithm) {
        try {
            return MessageDigest.getInstance(algorithm);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has " + algorithm, e);
        }
    }

    private static String hex(byte[] b) {
        return HexFormat.of().formatHex(b);
    }
}
