package civitai.daemon.download;

import civitai.daemon.download.rules.SpaceGate;
import civitai.daemon.events.Event;
import civitai.daemon.events.EventBus;
import civitai.daemon.store.jobs.Job;
import civitai.daemon.store.jobs.JobState;
import civitai.daemon.store.jobs.JobStore;
import java.nio.file.Path;
import java.util.function.Function;

/**
 * The queue's side of {@link SpaceGate}: a queued job of known size that would leave too little
 * free waits in {@code waiting_space} (no attempt is spent, so no retry storm) and is queued again
 * once it fits; one larger than its file system fails with {@code disk_space}. Each move is
 * published, so the live stream shows a job waiting and starting again. Called under the queue's
 * lock.
 */
final class SpaceWait {
    private final SpaceGate gate;
    private final JobStore store;
    private final EventBus bus;
    private final Function<String, Path> folders;

    /** @param folders the folder of a model type */
    SpaceWait(SpaceGate gate, JobStore store, EventBus bus, Function<String, Path> folders) {
        this.gate = gate;
        this.store = store;
        this.bus = bus;
        this.folders = folders;
    }

    /** True when {@code job} must not start now (it now waits, or has failed). */
    boolean holds(Job job, long reserved) {
        Long size = job.spec().expectedSize() != null ? job.spec().expectedSize()
                : job.totalBytes();
        if (size == null) {
            return false;  // unknown until the first answer: the write reports a full disk
        }
        long needed = Math.max(0, size - job.bytesDone());
        switch (gate.check(folders.apply(job.spec().modelType()), needed, reserved)) {
            case SpaceGate.Verdict.Fits f -> {
                return false;
            }
            case SpaceGate.Verdict.Wait w -> {
                store.waitForSpace(job.id(), w.message());
                bus.publish(new Event.WaitingSpace(job.id(), w.message()));
                return true;
            }
            case SpaceGate.Verdict.TooBig t -> {
                store.fail(job.id(), "disk_space", t.message());
                bus.publish(new Event.Failed(job.id(), "disk_space", t.message()));
                return true;
            }
        }
    }

    /** Queues again the waiting jobs that fit now; returns how many still wait. */
    int release(long reserved) {
        int waiting = 0;
        for (Job job : store.inState(JobState.WAITING_SPACE)) {
            Long size = job.spec().expectedSize() != null ? job.spec().expectedSize()
                    : job.totalBytes();
            long needed = size == null ? 0 : Math.max(0, size - job.bytesDone());
            if (gate.check(folders.apply(job.spec().modelType()), needed,
                    reserved) instanceof SpaceGate.Verdict.Fits) {
                if (store.spaceFound(job.id())) {
                    bus.publish(new Event.Queued(job.id(), JobControl.label(job.spec()),
                            job.spec().url().toString()));
                }
            } else {
                waiting++;
            }
        }
        return waiting;
    }
}
