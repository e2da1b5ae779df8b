package civitai.daemon.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Real Civitai API answers, copied from ../shared/civitai-fixtures into test/resources. */
public final class Fixtures {
    public static final Path DIR = Path.of("test/resources/civitai-fixtures");

    private Fixtures() {}

    public static String read(String name) {
        try {
            return Files.readString(DIR.resolve(name), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("fixture " + name
                    + " (run tests from the repository root)", e);
        }
    }
}
