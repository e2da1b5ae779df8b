package civitai.daemon;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/** The daemon's version, from the VERSION file the build puts beside the classes. */
public final class Version {
    private Version() {}

    public static String current() {
        try (InputStream in = Version.class.getResourceAsStream("VERSION")) {
            return in == null ? "dev" : new String(in.readAllBytes(), StandardCharsets.UTF_8)
                    .strip();
        } catch (IOException e) {
            return "dev";
        }
    }

    /** Our own User-Agent: Civitai answers browser-like agents with HTML instead of JSON errors. */
    public static String userAgent() {
        return "civitai-daemon/" + current();
    }
}
