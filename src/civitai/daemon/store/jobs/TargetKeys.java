package civitai.daemon.store.jobs;

/**
 * What identifies the file a job writes, as the store keeps it ({@code jobs.target_key}): two
 * jobs with one key would write one file, so a newer one supersedes the older. The store does not
 * know layouts or file systems; the composition root hands it this rule. Must be thread-safe.
 */
@FunctionalInterface
public interface TargetKeys {
    /**
     * The key of a job's file: from {@code targetPath} when it is known, else from its type and
     * name; null while neither a name nor a path is known.
     */
    String key(String modelType, String filename, String targetPath);
}
