package civitai.daemon.notify;

import civitai.daemon.store.deliveries.WebhookStore.Delivery;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The signed JSON webhook: the payload as stored, POSTed to the delivery's URL, with
 * {@code X-Civitai-Daemon-Signature: sha256=<HMAC-SHA256 of the body>} when it has a secret.
 */
record WebhookTarget(String name, List<String> events, URI url, String secret) implements Target {
    @Override
    public String endpoint() {
        return url.toString();  // shown through the redactor, which masks credential query values
    }

    @Override
    public HttpRequest.Builder request(Delivery d, Instant now) {
        byte[] body = d.payload().getBytes(StandardCharsets.UTF_8);
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(d.url()))
                .header("Content-Type", "application/json; charset=utf-8")
                .header("X-Civitai-Daemon-Event", d.event())
                .header("X-Civitai-Daemon-Delivery", Long.toString(d.id()))
                .header("X-Civitai-Daemon-Timestamp", Long.toString(now.getEpochSecond()))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (secret != null) {
            b.header("X-Civitai-Daemon-Signature", "sha256=" + hmac(secret, body));
        }
        return b;
    }

    /** HMAC-SHA256 of {@code body} under {@code key}, lower-case hex. */
    static String hmac(String key, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(body));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 is in every JDK", e);
        }
    }
}
