package civitai.daemon.store.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import civitai.daemon.store.Database;
import civitai.daemon.store.jobs.JobSpec;
import civitai.daemon.store.jobs.JobState;
import civitai.daemon.store.jobs.JobStore;
import civitai.daemon.target.Layout;
import civitai.daemon.target.Targets;
import civitai.daemon.testing.Db;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Synced ranges are trusted after anything; written ones only during the boot that wrote them. */
class RangeJournalTest {
    @TempDir Path dir;

    private long job(Database db) {
        return new JobStore(db, Clock.systemUTC(),
                new Targets(Path.of("models"), Layout.FLAT, false)::key)
                        .insertIfAbsent(new JobSpec(1L, "lora", "a.safetensors",
                URI.create("http://127.0.0.1:1/a"), null, null, 0, null, "{}"), JobState.QUEUED)
                        .job().id();
    }

    @Test
    void writtenRanges_areTrustedDuringTheirBoot_andMergedWithTheSyncedOnes() {
        try (Database db = new Database(dir.resolve("completed.db"))) {
            long id = job(db);
            new RangeJournal(db, "boot-1")
                    .record(id, Map.of(0L, 100L, 500L, 600L), Map.of(100L, 180L, 600L, 650L));
            assertEquals(Map.of(0L, 180L, 500L, 650L), new RangeJournal(db, "boot-1").ranges(id));
        }
    }

    @Test
    void afterAReboot_onlyTheSyncedRangesAreTrusted() {
        try (Database db = new Database(dir.resolve("completed.db"))) {
            long id = job(db);
            new RangeJournal(db, "boot-1")
                    .record(id, Map.of(0L, 100L), Map.of(100L, 180L, 300L, 400L));
            assertEquals(Map.of(0L, 100L), new RangeJournal(db, "boot-2").ranges(id));
        }
    }

    @Test
    void withNothingSynced_theOutOfOrderMarkerOutlivesAReboot() {
        try (Database db = new Database(dir.resolve("completed.db"))) {
            long id = job(db);
            new RangeJournal(db, "boot-1").record(id, Map.of(), Map.of(0L, 50L, 3000L, 4000L));
            assertEquals(Map.of(0L, 0L), new RangeJournal(db, "boot-2").ranges(id),
                    "a sparse part is never taken for a prefix, even with its written ranges void");
            assertEquals(Map.of(0L, 50L, 3000L, 4000L), new RangeJournal(db, "boot-1").ranges(id),
                    "during the same boot both written ranges count");
        }
    }

    @Test
    void withoutABootId_writtenRangesAreNotRecorded() {
        try (Database db = new Database(dir.resolve("completed.db"))) {
            long id = job(db);
            new RangeJournal(db, null).record(id, Map.of(0L, 100L), Map.of(100L, 180L));
            assertEquals(Map.of(0L, 100L), new RangeJournal(db, null).ranges(id));
            assertEquals(1, new Db(dir.resolve("completed.db"))
                    .count("SELECT count(*) FROM part_ranges"));
        }
    }
}
