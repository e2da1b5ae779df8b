package civitai.daemon.auth;

import com.eclipsesource.json.Json;
import com.eclipsesource.json.JsonObject;
import com.eclipsesource.json.JsonValue;
import com.eclipsesource.json.ParseException;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.Locale;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * API tokens: JWTs signed with HS256 under {@code jwt_secret}. Only HS256 is accepted (never
 * {@code none} or another algorithm), the signature is compared in constant time, {@code exp} is
 * required and enforced, and {@code role} must be viewer or admin. Shared by the server (which
 * verifies) and the command-line client (which signs its own short-lived tokens). Thread-safe.
 */
public final class Jwt {
    /** A token that is not a valid, unexpired HS256 token of ours; the message says why. */
    public static final class InvalidToken extends RuntimeException {
        private static final long serialVersionUID = 1L;

        InvalidToken(String message) {
            super(message);
        }
    }

    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder DECODER = Base64.getUrlDecoder();

    private final byte[] secret;
    private final Clock clock;

    public Jwt(String secret, Clock clock) {
        this.secret = secret.getBytes(StandardCharsets.UTF_8);
        this.clock = clock;
    }

    /** A token for {@code role} valid for {@code ttl}. */
    public String sign(Role role, Duration ttl) {
        long now = clock.instant().getEpochSecond();
        String header = encode(new JsonObject().add("alg", "HS256").add("typ", "JWT").toString());
        String payload = encode(new JsonObject().add("sub", "civitai-daemon").add("role", role.name().toLowerCase(Locale.ROOT))
                .add("iat", now).add("exp", now + ttl.toSeconds()).toString());
        String signingInput = header + "." + payload;
        return signingInput + "." + ENCODER.encodeToString(hmac(signingInput));
    }

    /** The token's role; {@link InvalidToken} for anything but a valid, unexpired token. */
    public Role verify(String token) {
        String[] parts = token.split("\\.", -1);
        if (parts.length != 3) {
            throw invalid("not a JWT");
        }
        JsonObject header = decodeObject(parts[0]);
        JsonValue alg = header.get("alg");
        if (alg == null || !alg.isString() || !alg.asString().equals("HS256")) {
            throw invalid("only HS256 tokens are accepted");
        }
        byte[] given;
        try {
            given = DECODER.decode(parts[2]);
        } catch (IllegalArgumentException e) {
            throw invalid("bad signature encoding");
        }
        if (!MessageDigest.isEqual(hmac(parts[0] + "." + parts[1]), given)) {
            throw invalid("bad signature");
        }
        JsonObject claims = decodeObject(parts[1]);
        JsonValue exp = claims.get("exp");
        if (exp == null || !exp.isNumber()) {
            throw invalid("the token has no exp");
        }
        if (exp.asDouble() <= clock.instant().getEpochSecond()) {
            throw invalid("the token has expired");
        }
        JsonValue role = claims.get("role");
        if (role != null && role.isString()) {
            switch (role.asString()) {
                case "admin" -> {
                    return Role.ADMIN;
                }
                case "viewer" -> {
                    return Role.VIEWER;
                }
                default -> { }
            }
        }
        throw invalid("the token's role must be viewer or admin");
    }

    private static JsonObject decodeObject(String part) {
        try {
            JsonValue v = Json.parse(new String(DECODER.decode(part), StandardCharsets.UTF_8));
            if (v.isObject()) {
                return v.asObject();
            }
        } catch (IllegalArgumentException | ParseException e) {
            // reported below
        }
        throw invalid("malformed token");
    }

    private static InvalidToken invalid(String why) {
        return new InvalidToken("invalid token: " + why);
    }

    private static String encode(String json) {
        return ENCODER.encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }

    private byte[] hmac(String input) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            return mac.doFinal(input.getBytes(StandardCharsets.US_ASCII));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 is in every JDK", e);
        }
    }
}
