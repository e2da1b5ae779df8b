package civitai.daemon.store.jobs;

import java.util.Locale;

/**
 * The life of a job. Stored by its lower-case name. {@code SUPERSEDED}: a newer job took over the
 * same target (the resolved file); the older one's record stays, its claim on the file ends.
 * {@code WAITING_SPACE}: queued, but its file would leave too little free; it is queued again by
 * itself once space appears.
 */
public enum JobState {
    QUEUED, DOWNLOADING, VERIFYING, COMPLETED, FAILED, CANCELLED, PAUSED, SUPERSEDED, WAITING_SPACE;

    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static JobState of(String key) {
        return valueOf(key.toUpperCase(Locale.ROOT));
    }
}
