package civitai.daemon.target;

/**
 * What happens to a file at a target that this daemon did not put there ({@code existing_files}):
 * {@code KEEP} it and fail the job, move it aside as a {@code BACKUP}, or {@code REPLACE} it.
 */
public enum ExistingFiles {
    KEEP, BACKUP, REPLACE
}
