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
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * Writes to manifest.json: every change is serialised through one lock, keeps the previous file as
 * {@code manifest.json.bak}, and replaces the file atomically. Entries are kept as written, unknown
 * fields included. A manifest that does not parse is never overwritten. A user may edit the file
 * by hand while the daemon runs: just before its rename the daemon checks that the file is still
 * the one it read, and when a save came in meanwhile it reads that and applies its change again,
 * so neither the user's edit nor the daemon's change is dropped. Thread-safe.
 */
public final class ManifestFile {
    /** Reads and merges of one change before it gives up, with the user's file left as it is. */
    static final int MAX_TRIES = 8;

    private final Path file;
    private final Runnable beforeRename;
    private final ReentrantLock lock = new ReentrantLock();
    private volatile String problem;

    public ManifestFile(Path file) {
        this(file, () -> { });
    }

    /**
     * {@code beforeRename} runs after each read and merge, before the check: a test's hand edit.
     */
    ManifestFile(Path file, Runnable beforeRename) {
        this.file = file;
        this.beforeRename = beforeRename;
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
        return rewrite(array -> {
            // once: checking each new entry against all is quadratic
            Set<String> known = keys(array);
            int added = 0;
            for (ManifestEntry entry : entries) {
                if (known.add(entry.toSpec().key())) {
                    array.add(Json.parse(entry.json()));
                    added++;
                }
            }
            return new Change<>(added > 0 ? array : null, added);
        });
    }

    /**
     * The manifest's entries as JSON, for readers that need the user's fields (the update checker).
     */
    public JsonArray read() throws IOException, Manifest.ManifestException {
        lock.lock();
        try {
            return parse(DiskCopy.read(file));
        } finally {
            lock.unlock();
        }
    }

    /**
     * Rewrites the manifest through {@code change}, serialised with every other write; nothing is
     * written when the change returns the array unchanged. {@code change} runs once more for each
     * save of the file by someone else while it was applied: it must only compute, from the array
     * it is given.
     */
    public void modify(UnaryOperator<JsonArray> change)
            throws IOException, Manifest.ManifestException {
        rewrite(array -> {
            JsonArray after = change.apply(Json.parse(array.toString()).asArray());
            return new Change<>(after.equals(array) ? null : after, null);
        });
    }

    /**
     * What a change makes of the array: the array to write (null: nothing to write) and a result.
     */
    private record Change<T>(JsonArray write, T result) {}

    /**
     * Applies {@code change} to the file as it is, and renames the outcome over it only when the
     * file is still the one read; otherwise reads it again and applies again, up to
     * {@link #MAX_TRIES} times, then gives up with nothing written.
     */
    private <T> T rewrite(Function<JsonArray, Change<T>> change)
            throws IOException, Manifest.ManifestException {
        lock.lock();
        try {
            for (int attempt = 1; attempt <= MAX_TRIES; attempt++) {
                DiskCopy read = DiskCopy.read(file);
                Change<T> outcome = change.apply(parse(read));
                if (outcome.write() == null || replaceIfUnchanged(read, outcome.write())) {
                    return outcome.result();
                }
            }
            throw new IOException("manifest " + file + " was saved by someone else " + MAX_TRIES
                    + " times while the daemon was changing it; the change was not written,"
                    + " the file is as it was last saved");
        } finally {
            lock.unlock();
        }
    }

    private boolean replaceIfUnchanged(DiskCopy read, JsonArray array) throws IOException {
        Path temp = AtomicWrite.prepare(file, array.toString(WriterConfig.PRETTY_PRINT) + "\n");
        try {
            if (read.exists()) {
                Files.write(file.resolveSibling(file.getFileName() + ".bak"), read.bytes());
            }
            beforeRename.run();
            if (!read.isStillOn(file)) {
                return false;
            }
            AtomicWrite.moveOver(temp, file);
            return true;
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    private static Set<String> keys(JsonArray array) {
        Set<String> keys = new HashSet<>();
        for (JsonValue v : array) {
            try {
                keys.add(EntryParser.parse(v).toSpec().key());
            } catch (EntryParser.InvalidEntry e) {
                // an entry that is bad already stays as the user wrote it
            }
        }
        return keys;
    }

    private JsonArray parse(DiskCopy copy) throws Manifest.ManifestException {
        try {
            JsonArray array = parseBytes(copy);
            problem = null;
            return array;
        } catch (Manifest.ManifestException e) {
            problem = e.getMessage();
            throw e;
        }
    }

    private JsonArray parseBytes(DiskCopy copy) throws Manifest.ManifestException {
        if (!copy.exists()) {
            return new JsonArray();
        }
        try {
            JsonValue value = Json.parse(new String(copy.bytes(), StandardCharsets.UTF_8));
            if (value.isArray()) {
                return value.asArray();
            }
        } catch (ParseException e) {
            throw new Manifest.ManifestException("manifest " + file + " is not valid JSON ("
                    + e.getMessage() + "); it was left as it is", e);
        }
        throw new Manifest.ManifestException("manifest " + file
                + " is not a JSON array; it was left as it is", null);
    }
}
