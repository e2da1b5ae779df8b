package civitai.daemon.cli.session;

/**
 * Why a command did not succeed, carrying the exit code the user's shell sees: 1 the daemon
 * answered with an error, 2 the command line is wrong, 3 the daemon cannot be reached. Thrown
 * anywhere in a command and turned into its message and exit code once, in {@link Cli#run}.
 */
public final class Failure extends Exception {
    private static final long serialVersionUID = 1L;

    public final int exitCode;

    private Failure(int exitCode, String message) {
        super(message);
        this.exitCode = exitCode;
    }

    /** The daemon (or a local file it needs) answered with an error. */
    public static Failure error(String message) {
        return new Failure(ExitCode.ERROR, message);
    }

    public static Failure usage(String message) {
        return new Failure(ExitCode.USAGE, message);
    }

    public static Failure unreachable(String message) {
        return new Failure(ExitCode.UNREACHABLE, message);
    }
}
