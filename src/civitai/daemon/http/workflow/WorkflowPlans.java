package civitai.daemon.http.workflow;

import civitai.daemon.workflow.Reference;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The last workflows planned, by plan id (the SHA-256 of the body), so that
 * {@code POST /api/workflow/plan/{id}/queue} queues chosen rows without the body again. What is
 * kept is what the body names, not the plan: queueing plans again against the library as it is
 * then. Bounded; lost on restart (send the workflow again). Thread-safe.
 */
public final class WorkflowPlans {
    /**
     * A few workflows' references (each a few hundred bytes a row): a GUI plans one, then queues
     * it.
     */
    public static final int KEPT = 32;

    /**
     * What a body names, and the body's SHA-256: the plan's id, and the mark of the jobs it queues.
     */
    public record Read(List<Reference> references, String sha256) {}

    private final Map<String, Read> byId = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Read> eldest) {
            return size() > KEPT;
        }
    };

    public synchronized void keep(Read read) {
        byId.put(read.sha256(), read);
    }

    public synchronized Optional<Read> find(String id) {
        return Optional.ofNullable(byId.get(id));
    }
}
