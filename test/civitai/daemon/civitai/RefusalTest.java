package civitai.daemon.civitai;

import static org.junit.jupiter.api.Assertions.assertEquals;

import civitai.daemon.download.fetch.PlainRefusals;
import civitai.daemon.download.fetch.RefusalReader;
import civitai.daemon.testing.Fixtures;
import java.net.URI;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Civitai's real refusal answers (API-NOTES.md) and the reason each becomes: in Civitai's terms
 * where it has them, else in the engine's one wording.
 */
class RefusalTest {
    private static final URI FROM = URI.create("https://civitai.com/api/download/models/1");

    private static String code(int status, String type, String body) {
        Refusal civitai = Refusal.of(status, type, body);
        return civitai != null ? civitai.code()
                : PlainRefusals.read(FROM, status, type, body).code();
    }

    @Test
    void theQuoted401Fixture_asksForAnApiKey() {
        Refusal r = Refusal.of(401, "application/json",
                Fixtures.read("error_download_401_unauthorized_QUOTED.json"));
        assertEquals("auth_required", r.code());
    }

    @Test
    void aStatusCivitaiGivesNoMeaningOfItsOwn_isInTheEnginesWords_withCivitaisDetail() {
        Refusal r = Refusal.of(404, "application/json", "{\"error\":\"File not found\"}");
        assertEquals(PlainRefusals.byStatus("Civitai", 404, "File not found"),
                new RefusalReader.Reason(r.code(), r.message()));
        assertEquals(null, Refusal.of(403, "text/html",
                "<html><title>Just a moment...</title></html>"),
                "a page that is not the login page is the engine's to word");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "401 | application/json | {\"error\":\"Unauthorized\","
                + "\"message\":\"The creator of this asset has disabled downloads on this file\"} |"
                + " downloads_disabled",
        "403 | application/json | {\"error\":\"Early Access\","
        + "\"deadline\":\"2026-01-01T00:00:00Z\"}   | early_access",
        "403 | application/json | {\"error\":\"Forbidden\"}                                      "
        + "    | forbidden", "404 | application/json | {\"error\":\"File not found\"}              "
        + "                       | not_found",
        "410 | application/json | {\"error\":\"Model archived, not available for download\"}     "
        + "     | archived", "429 | application/json | {\"error\":\"We've noticed an unusual amount"
        + " of downloading\"}      | quota",
        "500 | application/json | {\"error\":\"Error getting file\"}                            "
        + "     | http_500", "403 | text/html        | <html><title>Just a moment...</title></html>"
        + "                       | http_403",
        "200 | text/html        | <html><a href=/login>Log in</a></html>                           "
        + "  | auth_required", "400 | application/xml  |"
        + " <Error><Code>InvalidArgument</Code></Error>                        | http_400",
        "404 | application/xml  | <Error><Code>NoSuchKey</Code></Error>                          "
        + "    | not_found",
    })
    void answers(int status, String type, String body, String code) {
        assertEquals(code, code(status, type, body));
    }
}
