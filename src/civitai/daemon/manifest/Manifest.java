package civitai.daemon.manifest;

import com.eclipsesource.json.JsonArray;
import java.util.ArrayList;
import java.util.List;

/** The entries of manifest.json (a JSON array), each checked on its own. */
public final class Manifest {
    private Manifest() {}

    /** An entry that was skipped: its index in the array and why. */
    public record Problem(int index, String reason) {}

    /** The usable entries and the skipped ones. */
    public record Parsed(List<ManifestEntry> entries, List<Problem> problems) {}

    /** The file as a whole cannot be used: missing is fine (empty), unparsable is not. */
    public static final class ManifestException extends Exception {
        private static final long serialVersionUID = 1L;

        public ManifestException(String message, Throwable cause) {
            super(message, cause);
        }
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
