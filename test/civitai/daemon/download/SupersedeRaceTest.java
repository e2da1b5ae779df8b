package civitai.daemon.download;

import static org.junit.jupiter.api.Assertions.assertEquals;

import civitai.daemon.download.attempt.Downloader;
import civitai.daemon.download.fetch.Bandwidth;
import civitai.daemon.download.fetch.RefusalReader;
import civitai.daemon.download.fetch.host.HostCredentials;
import civitai.daemon.download.fetch.host.HostGate;
import civitai.daemon.download.fetch.host.HostSlots;
import civitai.daemon.download.part.BufferBudget;
import civitai.daemon.download.part.Placement;
import civitai.daemon.download.retry.RetryPolicy;
import civitai.daemon.download.retry.Watchdog;
import civitai.daemon.events.Event;
import civitai.daemon.events.EventBus;
import civitai.daemon.log.DaemonLog;
import civitai.daemon.log.Redactor;
import civitai.daemon.store.Database;
import civitai.daemon.store.jobs.Job;
import civitai.daemon.store.jobs.JobSpec;
import civitai.daemon.store.jobs.JobState;
import civitai.daemon.store.jobs.JobStore;
import civitai.daemon.store.journal.RangeJournal;
import civitai.daemon.target.ExistingFiles;
import civitai.daemon.target.Layout;
import civitai.daemon.target.Targets;
import civitai.daemon.testing.Bytes;
import civitai.daemon.testing.FakeStorage;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * submit() inserts the newer job outside the queue lock, then supersedes: the dispatcher can start
 * it in between.
 */
class SupersedeRaceTest {
    @TempDir Path dir;

    @Test
    void aNewerJobStartedBeforeSupersedeOthersRuns_keepsItsPart() throws Exception {
        byte[] v1 = Bytes.random(200_000, 41);
        byte[] v2 = Bytes.random(300_000, 42);
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
        try (FakeStorage storage = new FakeStorage();
                Database db = new Database(dir.resolve("completed.db"));
                DaemonLog log = new DaemonLog(dir, 1 << 20, 2, new Redactor(List.of()),
                        Clock.systemUTC(), new PrintStream(OutputStream.nullOutputStream()))) {
            // the newer job is still writing its part when the supersede runs
            storage.pace(100_000);
            Clock clock = Clock.systemUTC();
            Targets targets = new Targets(dir.resolve("models"), Layout.FLAT, false);
            JobStore store = new JobStore(db, clock, targets::key);
            RetryPolicy policy = new RetryPolicy(0, Duration.ofMillis(10), Duration.ofMillis(10),
                    new Random(), clock);
            Watchdog watchdog = new Watchdog(scheduler, Duration.ofSeconds(30),
                    Duration.ofMinutes(5));
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .build();
            Downloader downloader = new Downloader(client, HostCredentials.NONE, "test",
                    new Downloader.Settings(targets, Duration.ofSeconds(30),
                            Duration.ofMinutes(5)),
                    new Bandwidth(0), policy, clock, HostGate.OPEN, RefusalReader.NONE,
                    new Placement(ExistingFiles.KEEP, clock), watchdog,
                    new Downloader.Segmenting(1, 1 << 25, new HostSlots(8), new RangeJournal(db),
                            BufferBudget.standard()));
            EventBus bus = new EventBus(e -> { });
            DownloadQueue queue = new DownloadQueue(store, bus, log, downloader, watchdog, policy,
                    new DownloadQueue.Limits(2, Duration.ZERO, Duration.ofSeconds(30),
                            Duration.ofMinutes(5)));
            // an older job on the target, paused (no worker, no part)
            JobSpec older = new JobSpec(null, "lora", "model.safetensors", storage.put("v1", v1),
                    Bytes.sha256(v1), null, 0, null, "{}");
            long olderId = store.insertIfAbsent(older, JobState.PAUSED).job().id();
            // between submit's insert and its supersedeOthers, the dispatcher wakes (any other
            // job's event does this) and starts the newer job
            bus.subscribe(event -> {
                if (event instanceof Event.Queued q && q.jobId() != olderId) {
                    // wakes the dispatcher, as a finishing job would
                    queue.reprioritize(q.jobId(), 0);
                    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                    Path part = dir.resolve("models/lora/model.safetensors.part");
                    while (!(Files.exists(part) && part.toFile().length() > 0)
                            && System.nanoTime() < deadline) {
                        Thread.onSpinWait();
                    }
                }
            });
            queue.start();
            JobSpec newer = new JobSpec(null, "lora", "model.safetensors", storage.put("v2", v2),
                    Bytes.sha256(v2), null, 0, null, "{}");
            long newerId = queue.submit(newer).job().id();
            storage.pace(0);

            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            Job job = store.find(newerId).orElseThrow();
            while (!(job.state() == JobState.COMPLETED || job.state() == JobState.FAILED)
                    && System.nanoTime() < deadline) {
                Thread.sleep(20);  // scratch experiment only
                job = store.find(newerId).orElseThrow();
            }
            assertEquals(JobState.SUPERSEDED, store.find(olderId).orElseThrow().state());
            assertEquals(JobState.COMPLETED, job.state(), job.state() + ": " + job.lastError());
            Assertions.assertArrayEquals(v2,
                    Files.readAllBytes(dir.resolve("models/lora/model.safetensors")),
                    "the placed file is the verified download");
            queue.close();
        } finally {
            scheduler.shutdownNow();
        }
    }
}
