package civitai.daemon.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import civitai.daemon.testing.FakeTelegram;
import com.eclipsesource.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Telegram's MarkdownV2: every reserved character escaped, and messages that Telegram accepts. */
class MarkdownV2Test {
    @ParameterizedTest
    @ValueSource(strings = {"_", "*", "[", "]", "(", ")", "~", "`", ">", "#", "+", "-", "=", "|",
            "{", "}", ".", "!", "\\"})
    void eachReservedCharacter_isEscapedWithABackslash(String c) {
        assertEquals("a\\" + c + "b", MarkdownV2.escape("a" + c + "b"));
        assertNull(FakeTelegram.markdownProblem(MarkdownV2.escape(c + c + "x" + c)));
    }

    @Test
    void ordinaryText_isLeftAlone() {
        assertEquals("Pixel Art v2 \u00e9\u6f22 \uD83D\uDE00 50% @all $",
                MarkdownV2.escape("Pixel Art v2 \u00e9\u6f22 \uD83D\uDE00 50% @all $"));
    }

    @Test
    void theValidator_catchesAnUnescapedCharacter() {
        assertTrue(FakeTelegram.markdownProblem("model v1.5").contains("'.'"));
    }

    @Test
    void everyEventsMessage_parsesAsMarkdownV2_evenWithHostileNames() {
        String hostile = "_*[]()~`>#+-=|{}.!\\ name";
        String payload = new JsonObject().add("name", hostile).add("filename", hostile)
                .add("model_type", "lora").add("size", 12_345_678).add("duration_seconds", 75.5)
                .add("average_bytes_per_second", 163_519).add("error", "not_found")
                .add("error_message", hostile).add("model_id", 5).add("version_id", 6)
                .add("attempts", 2).add("title", hostile)
                .add("message", hostile).toString();
        for (String event : List.of("download_completed", "download_failed", "download_started",
                "download_cancelled", "model_update", "model_update_error", "test")) {
            String text = TelegramTarget.text(Notice.of(event, payload));
            assertNull(FakeTelegram.markdownProblem(text), event + ": " + text);
        }
        String done = FakeTelegram.shown(TelegramTarget.text(Notice.of("download_completed",
                payload)));
        assertTrue(done.contains("Size: 11.8 MiB") && done.contains("Time: 1m 16s")
                && done.contains("Speed: 159.7 KiB/s"), done);
    }
}
