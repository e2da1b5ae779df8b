package civitai.daemon;

import civitai.daemon.log.DaemonLog;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * The parts to close on stop, in reverse order of creation: each part is registered as it is
 * built, so a later one (which may use an earlier one) is closed first. Used by the thread that
 * starts the daemon and by the one that stops it, never at once ({@link Daemon} orders them).
 */
final class Shutdown {
    private final Deque<AutoCloseable> closing = new ArrayDeque<>();

    /** Registers a part to be closed on stop, in reverse order of creation. */
    <T extends AutoCloseable> T closeLater(T part) {
        closing.push(part);
        return part;
    }

    /** Registers a step of the stop that is not a part, e.g. a scheduler's shutdown. */
    void push(AutoCloseable step) {
        closing.push(step);
    }

    /**
     * Closes every part, the newest first; a failure is logged (unless closing the log) and the
     * rest still close.
     */
    void closeAll(DaemonLog log) {
        while (!closing.isEmpty()) {
            AutoCloseable part = closing.pop();
            try {
                part.close();
            } catch (Exception e) {
                if (part != log) {
                    log.error("error while stopping", e);
                }
            }
        }
    }
}
