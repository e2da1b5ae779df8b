package civitai.daemon.download.attempt;

import civitai.daemon.download.rules.SpeedMeter;
import civitai.daemon.store.jobs.JobSpec;
import java.nio.file.Path;
import java.util.Set;

/**
 * One job as the queue holds it while the daemon runs: which job it is, what it asks for, and what
 * status queries read while it runs (its file name once known, its size, the bytes so far, the
 * connections fetching it, its speed). The queue creates it and keeps it across attempts; the
 * attempts report into it through package-private methods and keep what they carry from one to
 * the next ({@link AttemptState}) inside it, out of the queue's reach. Written by the job's
 * worker thread; read from any thread.
 */
public final class QueuedJob {
    private final long jobId;
    private final JobSpec spec;
    private final long startedNanos = System.nanoTime();
    private final SpeedMeter speed = new SpeedMeter();
    private final AttemptState state;
    private volatile String filename;
    private volatile Long total;
    private volatile int connections;  // those holding a host slot now
    /**
     * The library's file this job was satisfied from; null when it was downloaded (or already
     * there).
     */
    private volatile Path fromLibrary;

    public QueuedJob(long jobId, JobSpec spec, String knownFilename, String validator, Long total) {
        this.jobId = jobId;
        this.spec = spec;
        this.filename = knownFilename;
        this.total = total;
        this.state = new AttemptState(spec.url(), validator);
    }

    public long jobId() {
        return jobId;
    }

    public JobSpec spec() {
        return spec;
    }

    /** The file's size once known; null until then. */
    public Long total() {
        return total;
    }

    /** Every byte in the part so far. */
    public long bytes() {
        return state.bytes();
    }

    /**
     * Hashes this daemon verified at the job's target: files of its own, which an attempt may
     * replace. Told by the queue before each attempt.
     */
    public void placedHere(Set<String> sha256s) {
        state.placedHashes(sha256s);
    }

    /** Stops hashing the part while no attempt runs (the job was stopped); the hash state stays. */
    public void settle() {
        state.settle();
    }

    /** What the attempts carry from one to the next. */
    AttemptState state() {
        return state;
    }

    String filename() {
        return filename;
    }

    /** The file's name, learnt from the server; null gives it up again. */
    void named(String name) {
        filename = name;
    }

    /** The target once the filename is known. */
    Path target(Path folder) {
        String name = filename;
        return name == null ? null : folder.resolve(name);
    }

    void sized(Long bytes) {
        total = bytes;
    }

    int connections() {
        return connections;
    }

    void connections(int running) {
        connections = running;
    }

    Path fromLibrary() {
        return fromLibrary;
    }

    void satisfiedFrom(Path libraryFile) {
        fromLibrary = libraryFile;
    }

    long startedNanos() {
        return startedNanos;
    }

    SpeedMeter speed() {
        return speed;
    }
}
