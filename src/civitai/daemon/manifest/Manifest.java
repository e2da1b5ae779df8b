package civitai.daemon.manifest;

import com.eclipsesource.json.Json;
import com.eclipsesource.json.JsonArray;
import com.eclipsesource.json.JsonValue;
import com.eclipsesource.json.ParseException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Reads manifest.json: a JSON array of entries, each checked on its own. */
public final class Manifest {
    private Manifest() {}

    /** An entry that was skipped: its index in the array and why. */
    public record Problem(int index, String reason) {}

    /** The usable entries and the skipped ones. */
    public record Parsed(List<ManifestEntry> entries, List<Problem> problems) {}

    /** The file as a whole cannot be read: not there is fine (empty), unparsable is not. */
    public static final class ManifestException extends Exception {
        private static final long serialVersionUID = 1L;

        public ManifestException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    public static Parsed read(Path file) throws ManifestException {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return new Parsed(List.of(), List.of());
        } catch (IOException e) {
            throw new ManifestException("cannot read manifest " + file + ": " + e.getMessage(), e);
        }
        JsonValue json;
        try {
            json = Json.parse(text);
        } catch (ParseException e) {
            throw new ManifestException("manifest " + file + " is not valid JSON: " + e.getMessage(), e);
        }
        if (!json.isArray()) {
            throw new ManifestException("manifest " + file + " must be a JSON array [...] of entries", null);
        }
        return parse(json.asArray());
    }

    public static Parsed parse(JsonArray array) {
        List<ManifestEntry> entries = new ArrayList<>();
        List<Problem> problems = new ArrayList<>();
        for (int i = 0; i < array.size(); i++) {
            try {
                entries.add(EntryParser.parse(array.get(i)));
            } catch (EntryParser.InvalidEntry e) {
                problems.add(new Problem(i, e.getMessage()));
            }
        }
        return new Parsed(List.copyOf(entries), List.copyOf(problems));
    }
}
