package civitai.daemon.manifest;

import civitai.daemon.config.AtomicWrite;
import com.eclipsesource.json.Json;
import com.eclipsesource.json.JsonArray;
import com.eclipsesource.json.JsonValue;
import com.eclipsesource.json.ParseException;
import com.eclipsesource.json.WriterConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Writes to manifest.json: every change is serialised through one lock, keeps the previous file as
 * {@code manifest.json.bak}, and replaces the file atomically. Entries are kept as written, unknown
 * fields included. A manifest that does not parse is never overwritten. Thread-safe.
 */
public final class ManifestFile {
    private final Path file;
    private final ReentrantLock lock = new ReentrantLock();
    private volatile String problem;

    public ManifestFile(Path file) {
        this.file = file;
    }

    public Path path() {
        return file;
    }

    /** Why the manifest could not be read the last time it was, or null when it could. */
    public String problem() {
        return problem;
    }

    /**
     * Appends the entries whose JSON is not in the manifest yet (an entry given twice is recorded
     * once); returns how many were added.
     */
    public int append(List<ManifestEntry> entries) throws IOException, Manifest.ManifestException {
        lock.lock();
        try {
            JsonArray array = readArray();
            java.util.Set<String> known = keys(array);  // once: checking each new entry against all is quadratic
            int added = 0;
            for (ManifestEntry entry : entries) {
                if (known.add(entry.toSpec().key())) {
                    array.add(Json.parse(entry.json()));
                    added++;
                }
            }
            if (added > 0) {
                write(array);
            }
            return added;
        } finally {
            lock.unlock();
        }
    }

    /** The manifest's entries as JSON, for readers that need the user's fields (the update checker). */
    public JsonArray read() throws IOException, Manifest.ManifestException {
        lock.lock();
        try {
            return readArray();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Rewrites the manifest through {@code change}, serialised with every other write; nothing is
     * written when the change returns the array unchanged.
     */
    public void modify(java.util.function.UnaryOperator<JsonArray> change) throws IOException, Manifest.ManifestException {
        lock.lock();
        try {
            JsonArray before = readArray();
            JsonArray after = change.apply(Json.parse(before.toString()).asArray());
            if (!after.equals(before)) {
                write(after);
            }
        } finally {
            lock.unlock();
        }
    }

    private static java.util.Set<String> keys(JsonArray array) {
        java.util.Set<String> keys = new java.util.HashSet<>();
        for (JsonValue v : array) {
            try {
                keys.add(EntryParser.parse(v).toSpec().key());
            } catch (EntryParser.InvalidEntry e) {
                // an entry that is bad already stays as the user wrote it
            }
        }
        return keys;
    }

    private JsonArray readArray() throws IOException, Manifest.ManifestException {
        try {
            JsonArray array = parseFile();
            problem = null;
            return array;
        } catch (Manifest.ManifestException e) {
            problem = e.getMessage();
            throw e;
        }
    }

    private JsonArray parseFile() throws IOException, Manifest.ManifestException {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return new JsonArray();
        }
        try {
            JsonValue value = Json.parse(text);
            if (value.isArray()) {
                return value.asArray();
            }
        } catch (ParseException e) {
            throw new Manifest.ManifestException("manifest " + file + " is not valid JSON (" + e.getMessage()
                    + "); it was left as it is", e);
        }
        throw new Manifest.ManifestException("manifest " + file + " is not a JSON array; it was left as it is", null);
    }

    private void write(JsonArray array) throws IOException {
        if (Files.exists(file)) {
            Files.copy(file, file.resolveSibling(file.getFileName() + ".bak"), StandardCopyOption.REPLACE_EXISTING);
        }
        AtomicWrite.replace(file, array.toString(WriterConfig.PRETTY_PRINT) + "\n");
    }
}
