package civitai.daemon.huggingface;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** What users paste or write in an entry, and the Hub file each names. */
class HfReferenceTest {
    @ParameterizedTest
    @CsvSource(delimiter = '|', nullValues = "NONE", value = {
        "https://huggingface.co/stabilityai/sdxl-vae/resolve/main/sdxl_vae.safetensors             "
                + "  | HfReference[repo=stabilityai/sdxl-vae, revision=main,"
                + " path=sdxl_vae.safetensors]",
        "https://huggingface.co/stabilityai/sdxl-vae/blob/main/sdxl_vae.safetensors                "
        + "  | HfReference[repo=stabilityai/sdxl-vae, revision=main, path=sdxl_vae.safetensors]",
        "https://huggingface.co/org/m/resolve/main/split_files/vae/ae.safetensors?download=true    "
        + "  | HfReference[repo=org/m, revision=main, path=split_files/vae/ae.safetensors]",
        "https://huggingface.co/datasets/org/d/resolve/v1.0/data/x.bin                             "
        + "  | HfReference[repo=datasets/org/d, revision=v1.0, path=data/x.bin]",
        "https://www.huggingface.co/org/m/resolve/0123456789abcdef0123456789abcdef01234567/a.gguf  "
        + "  | HfReference[repo=org/m,"
        + " revision=0123456789abcdef0123456789abcdef01234567, path=a.gguf]",
        "http://127.0.0.1:8999/org/m/resolve/main/a.safetensors                                    "
        + "  | HfReference[repo=org/m, revision=main, path=a.safetensors]",
        "http://127.0.0.1:9000/org/m/resolve/main/a.safetensors                             "
        + "         | NONE",
        "https://huggingface.co/org/m                                                       "
        + "         | NONE",
        "https://huggingface.co/org/m/tree/main/vae                                         "
        + "         | NONE",
        "https://huggingface.co/org/m/resolve/main/                                         "
        + "         | NONE",
        "https://huggingface.co/org/m/resolve/main/../../etc/passwd                         "
        + "         | NONE",
        "https://civitai.com/org/m/resolve/main/a.safetensors                               "
        + "         | NONE", "not a link                                                           "
        + "                       | NONE",
    })
    void parseLink(String text, String expected) {
        assertEquals(Optional.ofNullable(expected),
                HfReference.parseLink(text, "127.0.0.1:8999").map(Object::toString));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', nullValues = "NONE", value = {
        "org/m/vae/ae.safetensors       | NONE | HfReference[repo=org/m, revision=main,"
                + " path=vae/ae.safetensors]",
        "org/m/ae.safetensors           | v2   | HfReference[repo=org/m, revision=v2,"
        + " path=ae.safetensors]", "datasets/org/d/x.bin           | NONE |"
        + " HfReference[repo=datasets/org/d, revision=main, path=x.bin]",
        "org/m                          | NONE | NONE",
        "org/m/../x                     | NONE | NONE",
    })
    void parseEntry(String field, String revision, String expected) {
        assertEquals(Optional.ofNullable(expected),
                HfReference.parseEntry(field, revision).map(Object::toString));
    }

    @Test
    void aCommitRevisionIsPinnedAndABranchIsNot() {
        assertTrue(new HfReference("o/m", "0123456789abcdef0123456789abcdef01234567", "a")
                .pinned());
        assertFalse(new HfReference("o/m", "main", "a").pinned());
    }

    @Test
    void theResolveUrlGoesToTheConfiguredEndpoint() {
        HfReference ref = new HfReference("o/m", "main", "vae/ae.safetensors");
        assertEquals(URI.create("http://127.0.0.1:8999/mirror/o/m/resolve/abc/vae/ae.safetensors"),
                ref.resolveUri(URI.create("http://127.0.0.1:8999/mirror/"), "abc"));
        assertEquals("ae.safetensors", ref.fileName());
    }
}
