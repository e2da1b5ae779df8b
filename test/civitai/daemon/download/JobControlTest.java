package civitai.daemon.download;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import civitai.daemon.events.EventBus;
import civitai.daemon.log.DaemonLog;
import civitai.daemon.log.Redactor;
import civitai.daemon.store.Database;
import civitai.daemon.store.jobs.Job;
import civitai.daemon.store.jobs.JobSpec;
import civitai.daemon.store.jobs.JobState;
import civitai.daemon.store.jobs.JobStore;
import civitai.daemon.target.Layout;
import civitai.daemon.target.Targets;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Job control against a worker that does not stop in time (stuck in a system call, say). */
class JobControlTest {
    @TempDir Path dir;

    @Test
    void aPauseTheWorkerHasNotHonouredYet_answersWithTheStateAsItIs_andNotesItIsStillRunning()
            throws Exception {
        try (Database db = new Database(dir.resolve("completed.db"));
                DaemonLog log = new DaemonLog(dir, 1 << 20, 2, new Redactor(List.of()),
                        Clock.systemUTC(), new PrintStream(OutputStream.nullOutputStream()))) {
            JobStore store = new JobStore(db, Clock.systemUTC(),
                    new Targets(Path.of("models"), Layout.FLAT, false)::key);
            JobSpec spec = new JobSpec(null, "lora", "slow.safetensors",
                    URI.create("http://127.0.0.1:1/slow"), null, null, 0, null, "{}");
            long id = store.insertIfAbsent(spec, JobState.QUEUED).job().id();
            store.startAttempt(id, "127.0.0.1", 0);
            QueueState state = new QueueState();
            CountDownLatch release = new CountDownLatch(1);
            Thread stubborn = Thread.ofPlatform().start(() -> {
                for (int i = 0; i < 1000; i++) {
                    try {
                        release.await();
                        return;
                    } catch (InterruptedException e) {
                        // ignores the stop, as a worker inside an uninterruptible call does
                    }
                }
            });
            state.running.put(id, stubborn);
            // the downloader is only needed once the worker has stopped, which this one does not
            JobControl control = new JobControl(state, store, new EventBus(e -> { }), log, null,
                    Duration.ofMillis(50));

            Job answered = control.pause(id);

            assertEquals(JobState.DOWNLOADING, answered.state(),
                    "the state as it is, not a pretended pause");
            assertTrue(control.stillRunning(id));
            assertEquals(QueueState.Stop.PAUSE, state.stopRequests.get(id),
                    "the pause is still asked for");
            release.countDown();
            stubborn.join(10_000);
        }
    }
}
