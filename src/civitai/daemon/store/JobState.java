package civitai.daemon.store;

/** The life of a job. Stored by its lower-case name. */
public enum JobState {
    QUEUED, DOWNLOADING, VERIFYING, COMPLETED, FAILED, CANCELLED, PAUSED;

    public String key() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    public static JobState of(String key) {
        return valueOf(key.toUpperCase(java.util.Locale.ROOT));
    }
}
