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
import java.util.HashSet;
import java.util.Locale;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * API tokens: JWTs signed with HS256 under {@code jwt_secret}. Only HS256 is accepted (never
 * {@code none} or another algorithm), the signature is compared in constant time, {@code exp} is
 * required and enforced, {@code nbf} is enforced, a token issued in the future (beyond a small
 * clock skew) or valid for more than a year is refused unless it was minted as long-lived on
 * purpose, a header or claims object with a key twice is refused (parsers disagree on which one
 * wins), a header with {@code crit} is refused (this daemon understands no extension, RFC 7515
 * §4.1.11), each part must be base64url without padding in its one canonical spelling (§2: no
 * {@code =}, {@code +} or {@code /}, no stray bits in the last character, so one token has one
 * spelling), and {@code role} must be viewer or admin. Shared by the server (which verifies) and
 * the command-line client (which signs its own short-lived tokens). Thread-safe.
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

    /** Clocks of the minting and the checking machine may differ by this much. */
    static final Duration SKEW = Duration.ofSeconds(60);
    /** Longer-lived tokens need the {@code long_lived} claim, which only {@link #sign} sets. */
    static final Duration MAX_TTL = Duration.ofDays(365);

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
        JsonObject claims = new JsonObject().add("sub", "civitai-daemon")
                .add("role", role.name().toLowerCase(Locale.ROOT))
                .add("iat", now).add("exp", now + ttl.toSeconds());
        if (ttl.compareTo(MAX_TTL) > 0) {
            claims.add("long_lived", true);  // asked for: --ttl beyond a year
        }
        String payload = encode(claims.toString());
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
        if (header.get("crit") != null) {
            throw invalid("the header names critical extensions (crit) this daemon does not know");
        }
        byte[] given = decode(parts[2], "bad signature encoding (base64url without padding)");
        if (!MessageDigest.isEqual(hmac(parts[0] + "." + parts[1]), given)) {
            throw invalid("bad signature");
        }
        JsonObject claims = decodeObject(parts[1]);
        checkTimes(claims);
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

    private void checkTimes(JsonObject claims) {
        long now = clock.instant().getEpochSecond();
        Double exp = number(claims, "exp");
        if (exp == null) {
            throw invalid("the token has no exp");
        }
        if (exp <= now) {
            throw invalid("the token has expired");
        }
        Double nbf = number(claims, "nbf");
        if (nbf != null && nbf > now + SKEW.toSeconds()) {
            throw invalid("the token is not valid yet (nbf)");
        }
        Double iat = number(claims, "iat");
        if (iat != null && iat > now + SKEW.toSeconds()) {
            throw invalid("the token was issued in the future (iat); check this machine's clock");
        }
        JsonValue longLived = claims.get("long_lived");
        boolean asked = longLived != null && longLived.isBoolean() && longLived.asBoolean();
        if (!asked && exp - now > MAX_TTL.toSeconds() + SKEW.toSeconds()) {
            throw invalid("the token is valid for more than a year; mint one with the token command"
                    + " (--ttl above 365d marks it as long-lived on purpose)");
        }
    }

    /** A numeric claim, null when absent; a claim of another type is an invalid token. */
    private static Double number(JsonObject claims, String name) {
        JsonValue v = claims.get(name);
        if (v == null) {
            return null;
        }
        if (!v.isNumber()) {
            throw invalid("the " + name + " claim is not a number");
        }
        return v.asDouble();
    }

    /**
     * The bytes of a base64url part, refusing every other spelling of them: the decoder alone
     * takes padding and ignores the bits the last character has beyond the bytes.
     */
    private static byte[] decode(String part, String why) {
        byte[] bytes;
        try {
            bytes = DECODER.decode(part);
        } catch (IllegalArgumentException e) {
            throw invalid(why);
        }
        if (!ENCODER.encodeToString(bytes).equals(part)) {
            throw invalid(why);
        }
        return bytes;
    }

    private static JsonObject decodeObject(String part) {
        try {
            byte[] bytes = decode(part, "malformed token (base64url without padding)");
            JsonValue v = Json.parse(new String(bytes, StandardCharsets.UTF_8));
            if (v.isObject()) {
                if (new HashSet<>(v.asObject().names()).size() != v.asObject().size()) {
                    throw invalid("a key appears twice in the token");
                }
                return v.asObject();
            }
        } catch (ParseException e) {
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
