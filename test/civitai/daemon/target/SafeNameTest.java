package civitai.daemon.target;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Names a file system or Windows would refuse, or that would not read as what they are. */
class SafeNameTest {
    @ParameterizedTest
    @ValueSource(strings = {
        "evil\u202Egnp.safetensors",       // right-to-left override: reads as "evilsafetensors.png"
        "a\u2066b.safetensors", "zero\u200Bwidth.safetensors", "joiner\u200D.safetensors",
        "bom\uFEFF.bin", "line\u2028sep.bin", "para\u2029sep.bin", "c1\u0085control.bin",
        "c1\u009Bcsi.bin", "COM\u00B9", "com\u00B2.txt", "LPT\u00B3.bin", "CONIN$", "conout$.log",
        "CON .txt", "nul  .bin", "trailing ", "trailing.", "x.safetensors.PART",
        "arabic\u061Cmark.bin", "soft\u00ADhyphen.bin", "mongolian\u180Esep.bin",
        "inhibit\u206Aswap.bin", "hangul\u3164filler.bin", "tag\uDB40\uDC01.bin",
        "lone\uD800surrogate.bin",
    })
    void refused(String name) {
        assertTrue(SafeName.problem(name).isPresent(), name);
    }

    @Test
    void aNameOf250Bytes_fitsWithItsPartSuffix() {
        assertEquals(Optional.empty(), SafeName.problem("a".repeat(246) + ".bin"));
    }

    @ParameterizedTest
    @ValueSource(ints = {251, 252, 255, 256})
    void namesWhosePartFileWouldNotFit_areRefused(int bytes) {
        String name = "m".repeat(bytes - 4) + ".bin";
        assertEquals(bytes, name.getBytes(StandardCharsets.UTF_8).length);
        assertTrue(SafeName.problem(name).orElse("").contains("longer than 250 bytes"), name);
    }

    @ParameterizedTest
    @ValueSource(strings = {"Über Modell.safetensors", "COM10.bin", "console.txt",
            "v1.5 (pruned).ckpt"})
    void accepted(String name) {
        assertEquals(Optional.empty(), SafeName.problem(name), name);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "evil\u202Egnp.safetensors | evil_gnp.safetensors",
        "zero\u200Bwidth.bin       | zero_width.bin",
        "CONIN$                    | _CONIN$",
        "com\u00B9.txt             | _com\u00B9.txt",
        "name. . .                 | name",
    })
    void serverNames_areSanitised(String offered, String expected) {
        assertEquals(Optional.of(expected), SafeName.sanitise(offered));
    }

    @Test
    void aServerNameTooLong_isShortenedKeepingItsExtension_neverInsideACharacter() {
        String offered = "\u00dc".repeat(200) + ".safetensors";  // 412 bytes
        String name = SafeName.sanitise(offered).orElseThrow();
        assertTrue(name.endsWith(".safetensors"), name);
        assertTrue(name.getBytes(StandardCharsets.UTF_8).length <= 250, name);
        assertEquals(Optional.empty(), SafeName.problem(name));
    }
}
