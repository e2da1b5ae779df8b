package civitai.daemon.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Tokens signed with the right secret that are still refused: a {@code crit} header (RFC 7515
 * §4.1.11) and any spelling of a part other than unpadded base64url (§2).
 */
class JwtTest {
    private static final String SECRET = "a-long-test-jwt-secret-0123456789";
    private static final Instant NOW = Instant.parse("2026-06-01T12:00:00Z");
    private static final long EXP = NOW.getEpochSecond() + 3600;
    private static final String CLAIMS = "{\"role\":\"admin\",\"exp\":" + EXP + "}";
    private static final String HEADER = "{\"alg\":\"HS256\",\"typ\":\"JWT\"}";

    private final Jwt jwt = new Jwt(SECRET, Clock.fixed(NOW, ZoneOffset.UTC));

    private static String url(String json) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(utf8(json));
    }

    /** Padded: the JSON's length is chosen so that the spelling ends in '='. */
    private static String padded(String json) {
        String spelled = Base64.getUrlEncoder().encodeToString(utf8(json));
        assertTrue(spelled.endsWith("="), spelled);
        return spelled;
    }

    private static String standard(String json) {
        String spelled = Base64.getEncoder().withoutPadding().encodeToString(utf8(json));
        assertTrue(spelled.contains("/") || spelled.contains("+"), spelled);
        return spelled;
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** {@code header.payload.signature}, the signature made over the parts exactly as spelled. */
    private static String signed(String header, String payload,
            UnaryOperator<String> spellSignature) {
        String input = header + "." + payload;
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            byte[] sig = mac.doFinal(input.getBytes(StandardCharsets.US_ASCII));
            return input + "." + spellSignature.apply(Base64.getUrlEncoder().withoutPadding()
                    .encodeToString(sig));
        } catch (GeneralSecurityException e) {
            throw new AssertionError(e);
        }
    }

    /** The claims with a nonce chosen so that the signature's spelling contains '-' or '_'. */
    private static String claimsWithUrlOnlyCharacters() {
        for (int nonce = 0; nonce < 10_000; nonce++) {
            String claims = "{\"role\":\"admin\",\"exp\":" + EXP + ",\"n\":" + nonce + "}";
            String token = signed(url(HEADER), url(claims), s -> s);
            String sig = token.substring(token.lastIndexOf('.') + 1);
            if (sig.indexOf('-') >= 0 || sig.indexOf('_') >= 0) {
                return claims;
            }
        }
        throw new AssertionError("no nonce gave a signature with '-' or '_'");
    }

    /** The last character of a 43-character spelling carries two bits beyond the 32 bytes. */
    private static String strayBits(String sig) {
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        int last = alphabet.indexOf(sig.charAt(sig.length() - 1));
        return sig.substring(0, sig.length() - 1) + alphabet.charAt(last | 1);
    }

    private static Arguments refusal(String what, String token, String reason) {
        return Arguments.of(what, token, reason);
    }

    private static String critical(String header) {
        return signed(url(header), url(CLAIMS), s -> s);
    }

    static Stream<Arguments> refused() {
        String claims = claimsWithUrlOnlyCharacters();
        String kid = "{\"alg\":\"HS256\",\"kid\":\"???>>>\"}";
        return Stream.of(
                refusal("crit naming a claim", critical("{\"alg\":\"HS256\",\"crit\":[\"exp\"]}"),
                        "crit"),
                refusal("crit with b64 (RFC 7797)",
                        critical("{\"alg\":\"HS256\",\"b64\":false,\"crit\":[\"b64\"]}"), "crit"),
                refusal("crit empty", critical("{\"alg\":\"HS256\",\"crit\":[]}"), "crit"),
                refusal("crit null", critical("{\"alg\":\"HS256\",\"crit\":null}"), "crit"),
                refusal("signature padded with =",
                        signed(url(HEADER), url(CLAIMS), s -> s + "="), "signature"),
                refusal("signature in standard base64 (+ /)", signed(url(HEADER), url(claims),
                        s -> s.replace('-', '+').replace('_', '/')), "signature"),
                refusal("signature with stray bits",
                        signed(url(HEADER), url(CLAIMS), JwtTest::strayBits), "signature"),
                refusal("header padded with =",
                        signed(padded(HEADER + " "), url(CLAIMS), s -> s), "base64url"),
                refusal("payload padded with =",
                        signed(url(HEADER), padded(CLAIMS + " "), s -> s), "base64url"),
                refusal("header in standard base64",
                        signed(standard(kid), url(CLAIMS), s -> s), "base64url"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refused")
    void signedButMisspelledOrCritical_isRefused(String what, String token, String reason) {
        var e = assertThrows(Jwt.InvalidToken.class, () -> jwt.verify(token), what);
        assertTrue(e.getMessage().contains(reason), what + ": " + e.getMessage());
    }

    @Test
    void theCanonicalSpelling_isAccepted() {
        assertEquals(Role.ADMIN, jwt.verify(signed(url(HEADER), url(CLAIMS), s -> s)));
        String claims = claimsWithUrlOnlyCharacters();
        assertEquals(Role.ADMIN, jwt.verify(signed(url(HEADER), url(claims), s -> s)));
        assertEquals(Role.VIEWER, jwt.verify(jwt.sign(Role.VIEWER, Duration.ofHours(1))));
    }
}
