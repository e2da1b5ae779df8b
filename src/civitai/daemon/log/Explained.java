package civitai.daemon.log;

/**
 * An exception whose message says all a person needs (what happened, what to do): {@link
 * DaemonLog#error} logs it as that one line, without a stack trace, and the same line again only
 * once a minute. For conditions of the machine, not faults of the code (a full disk).
 */
public interface Explained {
    String getMessage();
}
