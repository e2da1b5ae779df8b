package civitai.daemon.workflow;

import civitai.daemon.target.SafeName;
import java.util.Optional;

/**
 * One model file a workflow names: where it was named ({@code node} id and its class, or the
 * A1111 field), the name as written (sub-folders kept), the ComfyUI folder it belongs in (empty
 * when the node is unknown: the user picks the type), and the URL or hash the workflow gave.
 */
public record Reference(String node, String nodeClass, String name, Optional<String> folder,
        Optional<String> url, Optional<String> hash) {

    /**
     * Why the name cannot be a path under its folder: ComfyUI keeps sub-folders ({@code sd15/x}),
     * so each segment must be a name {@link SafeName} accepts, and the path must be relative.
     */
    public Optional<String> problem() {
        return SafeName.pathProblem(name.replace('\\', '/')).map(p -> "\"" + name + "\" " + p);
    }

    /** Whether the name ends as a model file does; A1111's {@code Model: name} has no extension. */
    public boolean namesAFile() {
        return LoaderTable.looksLikeModel(name);
    }

    static Reference named(String node, String nodeClass, String name, Optional<String> folder) {
        return new Reference(node, nodeClass, name, folder, Optional.empty(), Optional.empty());
    }
}
