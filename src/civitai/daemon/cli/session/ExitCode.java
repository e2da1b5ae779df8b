package civitai.daemon.cli.session;

/**
 * The exit codes the user's shell sees from a command: one list, for every command and for
 * {@link Failure}.
 */
public final class ExitCode {
    public static final int OK = 0;
    /** The daemon (or a local file it needs) answered with an error. */
    public static final int ERROR = 1;
    /** The command line is wrong. */
    public static final int USAGE = 2;
    /** The daemon cannot be reached. */
    public static final int UNREACHABLE = 3;
    /** {@code workflow}: a model it needs is not found or needs a choice. */
    public static final int INCOMPLETE = 4;
    /** {@code workflow --yes}: a download it queued failed (or was cancelled). */
    public static final int DOWNLOAD_FAILED = 5;

    private ExitCode() {}
}
