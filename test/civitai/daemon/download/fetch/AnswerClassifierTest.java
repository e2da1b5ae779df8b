package civitai.daemon.download.fetch;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.http.HttpHeaders;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * What an answer means, from its status, headers and first bytes: one table for the single
 * connection, a segmented resume and each segment. Columns: the bytes asked for (from, to: -1 to
 * the end), the validator the part came with, the file's known size, the entry's size; the
 * answer's status, headers ({@code Name=value;...}) and first bytes ({@code -}: not looked at,
 * {@code bin}: bytes that are no text); what it means.
 */
class AnswerClassifierTest {
    @ParameterizedTest(name = "{5} {6} to {0}-{1} -> {8}")
    @CsvSource(delimiter = '|', nullValues = "", value = {
        // the file
        "0   | -1  |       |      |      | 200 | Content-Length=1000                       | bin  |"
                + " file 200 @0 of 1000",
        "0   | -1  |       |      |      | 200 | Content-Type=text/html;Content-Length=1000 | bin |"
        + " file 200 @0 of 1000", "0   | -1  |       |      |      | 200 | ETag=\"a\"              "
        + "                  | -    | file 200 @0 of null v \"a\"",
        "0   | -1  |       |      |      | 200 | ETag=W/\"a\";Last-Modified=Mon            | -    |"
        + " file 200 @0 of null v Mon",
        "100 | -1  | \"a\" |      |      | 206 | Content-Range=bytes 100-999/1000;ETag=\"a\" | bin"
        + " | file 206 @100 of 1000 v \"a\"",
        "100 | 199 | \"a\" | 1000 |      | 206 | Content-Range=bytes 100-199/1000          | -    |"
        + " file 206 @100 of 1000", "100 | -1  | Mon   |      |      | 206 | Content-Range=bytes"
        + " 100-999/1000;ETag=\"b\" | -   | file 206 @100 of 1000 v \"b\"",
        // a document in place of the file, unless about as large as the file
        "0   | -1  |       |      |      | 200 | Content-Type=text/html                    |"
        + " <!doctype html><html> | refused 200 FINAL",
        "0   | -1  |       |      |      | 200 | Content-Type=application/octet-stream     |"
        + " {\"error\":1}         | refused 200 FINAL",
        "0   | -1  |       |      |      | 200 | Content-Type=text/plain                   | hello "
        + "                | refused 200 FINAL",
        "0   | -1  |       |      | 1000 | 200 | Content-Length=1000                       | <html>"
        + "                | file 200 @0 of 1000",
        "0   | -1  |       |      | 1000 | 200 | Content-Length=100                        | <html>"
        + "                | refused 200 FINAL",
        // an encoding the request (Accept-Encoding: identity) did not accept; identity is the file
        "0   | -1  |       |      |      | 200 | Content-Encoding=gzip;Content-Length=29   | bin  |"
        + " encoded 200 gzip", "100 | -1  | \"a\" |      |      | 206 | Content-Range=bytes"
        + " 100-999/1000;Content-Encoding=br | - | encoded 206 br",
        "0   | -1  |       |      |      | 200 | Content-Encoding=identity;Content-Length=1000 |"
        + " bin | file 200 @0 of 1000",
        "0   | -1  |       |      |      | 404 | Content-Encoding=gzip                     | -    |"
        + " refused 404 URL_REFUSED",
        // redirects
        "0   | -1  |       |      |      | 302 | Location=/next                            | -    |"
        + " redirect /next",
        "0   | -1  |       |      |      | 307 | Location=https://cdn.example/f            | -    |"
        + " redirect https://cdn.example/f",
        "0   | -1  |       |      |      | 302 |                                           | -    |"
        + " refused 302 FINAL",
        // a range the server ignored, a validator that changed, a range other than asked
        "100 | -1  | \"a\" |      |      | 200 | ETag=\"a\"                                | bin "
        + " | ignored same", "100 | -1  | \"a\" |      |      | 200 | ETag=\"b\"                   "
        + "             | bin  | ignored changed",
        "100 | -1  | \"a\" |      |      | 206 | Content-Range=bytes 100-999/1000;ETag=\"b\" | - "
        + "  | changed 206", "100 | -1  |       |      |      | 206 | Content-Range=bytes"
        + " 0-999/1000            | -    | wrong range",
        "100 | 199 |       |      |      | 206 | Content-Range=bytes 100-499/1000          | -  "
        + "  | wrong range", "100 | 199 |       | 1000 |      | 206 | Content-Range=bytes"
        + " 100-199/2000          | -    | wrong range",
        "100 | -1  |       |      |      | 206 |                                           | -  "
        + "  | wrong range", "1000 | -1 | \"a\" |      |      | 416 | Content-Range=bytes */1000   "
        + "             | -    | complete",
        "500 | -1  | \"a\" |      |      | 416 | Content-Range=bytes */1000                | -  "
        + "  | changed 416", "0   | -1  |       |      |      | 416 |                              "
        + "             | -    | refused 416 FINAL",
        // refusals and what they allow
        "0   | -1  |       |      |      | 429 | Retry-After=30                            | -    |"
        + " refused 429 RATE_LIMITED after 30",
        "0   | -1  |       |      |      | 429 | Retry-After=soon                          | -    |"
        + " refused 429 RATE_LIMITED",
        "0   | -1  |       |      |      | 503 |                                           | -    |"
        + " refused 503 BUSY", "0   | -1  |       |      |      | 500 |                            "
        + "               | -    | refused 500 TRANSIENT",
        "0   | -1  |       |      |      | 408 |                                           | -    |"
        + " refused 408 TRANSIENT", "0   | -1  |       |      |      | 403 |                       "
        + "                    | -    | refused 403 URL_REFUSED",
        "0   | -1  |       |      |      | 404 |                                           | -    |"
        + " refused 404 URL_REFUSED", "0   | -1  |       |      |      | 410 |                     "
        + "                      | -    | refused 410 URL_REFUSED",
        "0   | -1  |       |      |      | 418 |                                           | -    |"
        + " refused 418 FINAL",
    })
    void classifies(long from, long to, String validator, Long total, Long expectedSize, int status,
            String headers, String head, String meaning) {
        var asked = new AnswerClassifier.Asked(from, to, validator, total, from, expectedSize);
        assertEquals(meaning, describe(AnswerClassifier.classify(asked, status, headers(headers),
                bytes(head))));
    }

    private static String describe(Answer answer) {
        return switch (answer) {
            case Answer.Redirect r -> "redirect " + r.location();
            case Answer.File f -> "file " + f.status() + " @" + f.start() + " of " + f.total()
                    + (f.validator() == null ? "" : " v " + f.validator());
            case Answer.RangeIgnored r -> "ignored " + (r.changed() ? "changed" : "same");
            case Answer.Complete c -> "complete";
            case Answer.Changed c -> "changed " + c.status();
            case Answer.WrongRange w -> "wrong range";
            case Answer.Encoded e -> "encoded " + e.status() + " " + e.encoding();
            case Answer.Refused r -> "refused " + r.status() + " " + r.kind()
                    + (r.retryAfter() == null ? ""
                            : " after " + r.retryAfter().seconds().toSeconds());
        };
    }

    private static HttpHeaders headers(String spec) {
        Map<String, List<String>> map = new LinkedHashMap<>();
        if (spec != null) {
            for (String pair : spec.split(";")) {
                int eq = pair.indexOf('=');
                map.put(pair.substring(0, eq).strip(), List.of(pair.substring(eq + 1).strip()));
            }
        }
        return HttpHeaders.of(map, (name, value) -> true);
    }

    private static byte[] bytes(String head) {
        return switch (head) {
            case "-" -> null;
            case "bin" -> new byte[] {0, 1, 2, (byte) 0xff, 0, 3};
            default -> head.getBytes(StandardCharsets.UTF_8);
        };
    }
}
