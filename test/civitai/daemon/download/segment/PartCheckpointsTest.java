package civitai.daemon.download.segment;

import static org.junit.jupiter.api.Assertions.assertEquals;

import civitai.daemon.download.part.BufferBudget;
import civitai.daemon.download.part.DiskException;
import civitai.daemon.download.part.PartFile;
import civitai.daemon.store.Database;
import civitai.daemon.store.jobs.JobSpec;
import civitai.daemon.store.jobs.JobState;
import civitai.daemon.store.jobs.JobStore;
import civitai.daemon.store.journal.RangeJournal;
import civitai.daemon.target.Layout;
import civitai.daemon.target.Targets;
import civitai.daemon.testing.Poll;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a segmented attempt has written reaches the journal without more writes, and only while
 * syncs hold.
 */
class PartCheckpointsTest {
    @TempDir Path dir;

    private long job(Database db) {
        return new JobStore(db, Clock.systemUTC(),
                new Targets(Path.of("models"), Layout.FLAT, false)::key)
                        .insertIfAbsent(new JobSpec(1L, "lora", "a.safetensors",
                URI.create("http://127.0.0.1:1/a"), null, null, 0, null, "{}"), JobState.QUEUED)
                        .job().id();
    }

    /** Checkpoints of a plan that is {@code segment} alone, its part beside {@code target}. */
    private static PartCheckpoints checkpoints(RangeJournal journal, long id, Segment segment,
            Path target) throws DiskException {
        SegmentPlan<Object> plan = new SegmentPlan<>(segment, List.of(), Map.of(), 1, 1,
                URI.create("http://127.0.0.1:1/a"));
        return new PartCheckpoints(journal, id, PartFile.beside(target, BufferBudget.standard()),
                plan);
    }

    @Test
    void aBurstWrittenJustAfterARecord_isJournalledWhileTheConnectionIdles() throws Exception {
        try (Database db = new Database(dir.resolve("completed.db"))) {
            long id = job(db);
            RangeJournal journal = new RangeJournal(db, "boot-1");
            Segment segment = new Segment(0, 1_000_000);
            PartCheckpoints checkpoints = checkpoints(journal, id, segment,
                    dir.resolve("a.safetensors"));
            checkpoints.record();
            checkpoints.start();
            try {
                // a burst: written at once, right after the record, then the host sends nothing
                // more
                segment.wrote(segment.claim(300_000));
                checkpoints.maybe();
                segment.wrote(segment.claim(300_000));
                checkpoints.maybe();
                Poll.until(Duration.ofSeconds(10),
                        () -> journal.ranges(id).equals(Map.of(0L, 600_000L)),
                        () -> "the journal holds " + journal.ranges(id));
            } finally {
                checkpoints.stop();
            }
        }
    }

    @Test
    void afterAFailedSync_theWrittenRangesAreNoLongerClaimed() throws Exception {
        try (Database db = new Database(dir.resolve("completed.db"))) {
            long id = job(db);
            RangeJournal journal = new RangeJournal(db, "boot-1");
            Segment segment = new Segment(0, 1_000_000);
            Path folder = Files.createDirectories(dir.resolve("models"));
            PartCheckpoints checkpoints = checkpoints(journal, id, segment,
                    folder.resolve("a.safetensors"));
            segment.wrote(segment.claim(300_000));
            checkpoints.record();
            assertEquals(Map.of(0L, 300_000L), journal.ranges(id));

            Files.deleteIfExists(folder.resolve("a.safetensors.part"));
            Files.delete(folder);  // the next fsync fails: Linux may have dropped the written pages
            checkpoints.finalQuietly();
            assertEquals(Map.of(0L, 0L), journal.ranges(id),
                    "only the marker: nothing was ever synced");
        }
    }
}
