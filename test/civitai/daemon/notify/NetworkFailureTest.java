package civitai.daemon.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.util.stream.Stream;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A failed send is described in words: never an exception class, even one the JDK's message embeds.
 */
class NetworkFailureTest {
    static Stream<Arguments> failures() {
        return Stream.of(
                Arguments.of(new ConnectException(), "cannot connect"),
                Arguments.of(new ConnectException("Connection refused"),
                        "cannot connect: Connection refused"),
                Arguments.of(new HttpConnectTimeoutException("HTTP connect timed out"),
                        "connect timed out: HTTP connect timed out"),
                Arguments.of(new HttpTimeoutException("request timed out"),
                        "timed out: request timed out"),
                Arguments.of(new UnknownHostException("hooks.invalid"),
                        "unknown host: hooks.invalid"),
                Arguments.of(new SSLHandshakeException("PKIX path building failed"),
                        "TLS failed: PKIX path building failed"),
                Arguments.of(new IOException("java.nio.channels.ClosedChannelException"),
                        "network error"),
                Arguments.of(new IOException("java.net.SocketException: Connection reset"),
                        "network error: Connection reset"));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("failures")
    void aFailure_isDescribedWithoutAClassName(IOException e, String expected) {
        assertEquals(expected, NetworkFailure.describe(e));
    }
}
