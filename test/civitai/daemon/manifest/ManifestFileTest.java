package civitai.daemon.manifest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.eclipsesource.json.Json;
import com.eclipsesource.json.JsonArray;
import com.eclipsesource.json.JsonObject;
import com.eclipsesource.json.JsonValue;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hand edits of manifest.json saved while the daemon rewrites it, each landed at the worst moment
 * (after the daemon read the file, before its rename) through the test's hook: none is lost, none
 * of the daemon's changes is lost, and the file parses after every step.
 */
class ManifestFileTest {
    @TempDir
    Path dir;

    private Path file() {
        return dir.resolve("manifest.json");
    }

    private static JsonObject entryJson(String filename) {
        return new JsonObject().add("model_type", "checkpoints").add("filename", filename)
                .add("url", "https://example.invalid/" + filename);
    }

    private static ManifestEntry entry(String filename) {
        try {
            return EntryParser.parse(entryJson(filename));
        } catch (EntryParser.InvalidEntry e) {
            throw new AssertionError(e);
        }
    }

    private JsonArray onDisk() throws IOException {
        return Json.parse(Files.readString(file())).asArray();  // throws when it does not parse
    }

    private Set<String> filenames() throws IOException {
        Set<String> names = new HashSet<>();
        for (JsonValue v : onDisk()) {
            names.add(v.asObject().getString("filename", null));
        }
        return names;
    }

    /** An editor's save: a new file renamed into place. */
    private void saveByRename(JsonArray array) throws IOException {
        Path temp = dir.resolve("editor.tmp");
        Files.writeString(temp, array.toString());
        Files.move(temp, file(), StandardCopyOption.ATOMIC_MOVE,
                StandardCopyOption.REPLACE_EXISTING);
    }

    /** {@code note} (4 digits) changed in place, so the size stays, and the mtime set back. */
    private void sameSizeSameMtime(int n) throws IOException {
        FileTime mtime = Files.getLastModifiedTime(file());
        String text = Files.readString(file());
        String edited = text.replaceFirst("(\"note\": ?\")\\d{4}\"",
                "$1" + String.format("%04d", n) + "\"");
        assertEquals(text.length(), edited.length());
        Files.writeString(file(), edited);
        Files.setLastModifiedTime(file(), mtime);
        assertEquals(mtime, Files.getLastModifiedTime(file()), "only the bytes tell the edit");
    }

    /** One of three ways a user saves: by rename, in place, in place at the same size and mtime. */
    private void handEdit(int n) {
        try {
            switch (n % 3) {
                case 0 -> saveByRename(onDisk().add(entryJson("hand-" + n + ".safetensors")));
                case 1 -> Files.writeString(file(),
                        onDisk().add(entryJson("hand-" + n + ".safetensors")).toString());
                default -> sameSizeSameMtime(n);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void apiAdds_withAHandEditBeforeEachRename_loseNothing() throws Exception {
        Files.writeString(file(), new JsonArray()
                .add(entryJson("noted.safetensors").add("note", "0000")).toString());
        AtomicInteger pending = new AtomicInteger();
        AtomicInteger edits = new AtomicInteger();
        ManifestFile manifest = new ManifestFile(file(), () -> {
            if (pending.getAndSet(0) > 0) {
                handEdit(edits.incrementAndGet());
            }
        });
        for (int i = 1; i <= 200; i++) {
            pending.set(1);
            assertEquals(1, manifest.append(List.of(entry("api-" + i + ".safetensors"))));
            onDisk();
        }
        assertEquals(200, edits.get());
        Set<String> names = filenames();
        for (int i = 1; i <= 200; i++) {
            assertTrue(names.contains("api-" + i + ".safetensors"), "API entry " + i + " lost");
            if (i % 3 != 2) {
                assertTrue(names.contains("hand-" + i + ".safetensors"),
                        "hand entry " + i + " lost");
            }
        }
        String note = onDisk().get(0).asObject().getString("note", null);
        assertEquals("0200", note, "the last same-size edit (the 200th) is what the file holds");
        assertEquals(1 + 200 + 133, onDisk().size());
    }

    @Test
    void modify_afterAHandSave_appliesTheChangeToWhatTheUserSaved() throws Exception {
        Files.writeString(file(), new JsonArray().add(entryJson("old.safetensors")).toString());
        AtomicInteger calls = new AtomicInteger();
        AtomicInteger hook = new AtomicInteger();
        ManifestFile manifest = new ManifestFile(file(), () -> {
            if (hook.getAndIncrement() == 0) {
                handEdit(0);  // adds hand-0 by rename
            }
        });
        manifest.modify(array -> {
            calls.incrementAndGet();
            JsonArray kept = new JsonArray();
            for (JsonValue v : array) {
                if (!v.asObject().getString("filename", "").equals("old.safetensors")) {
                    kept.add(v);
                }
            }
            return kept;
        });
        assertEquals(2, calls.get(), "applied to the daemon's read, then again to the user's save");
        assertEquals(Set.of("hand-0.safetensors"), filenames());
    }

    @Test
    void aFileSavedOnEveryTry_isLeftAsLastSaved_andTheChangeIsRefused() throws Exception {
        Files.writeString(file(), "[]");
        AtomicInteger edits = new AtomicInteger();
        ManifestFile manifest = new ManifestFile(file(),
                () -> handEdit(3 * edits.incrementAndGet()));
        var e = assertThrows(IOException.class,
                () -> manifest.append(List.of(entry("api.safetensors"))));
        assertTrue(e.getMessage().contains("not written"), e.getMessage());
        assertEquals(ManifestFile.MAX_TRIES, edits.get());
        Set<String> names = filenames();
        assertFalse(names.contains("api.safetensors"));
        for (int i = 1; i <= ManifestFile.MAX_TRIES; i++) {
            assertTrue(names.contains("hand-" + 3 * i + ".safetensors"),
                    "hand entry " + i + " lost");
        }
    }

    @Test
    void anUnparsableSaveMeanwhile_isNeverOverwritten() throws Exception {
        Files.writeString(file(), "[]");
        ManifestFile manifest = new ManifestFile(file(), () -> {
            try {
                Files.writeString(file(), "[{\"half\": ");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        assertThrows(Manifest.ManifestException.class,
                () -> manifest.append(List.of(entry("a.safetensors"))));
        assertEquals("[{\"half\": ", Files.readString(file()));
        assertTrue(manifest.problem().contains("not valid JSON"), manifest.problem());
    }
}
