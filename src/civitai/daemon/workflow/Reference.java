package civitai.daemon.workflow;

import java.util.Optional;

/**
 * One model file a workflow names: where it was named ({@code node} id and its class, or the
 * A1111 field), the name as written (sub-folders kept), the ComfyUI folder it belongs in (empty
 * when the node is unknown: the user picks the type), and the URL or hash the workflow gave.
 */
public record Reference(String node, String nodeClass, String name, Optional<String> folder,
        Optional<String> url, Optional<String> hash) {

    static Reference named(String node, String nodeClass, String name, Optional<String> folder) {
        return new Reference(node, nodeClass, name, folder, Optional.empty(), Optional.empty());
    }
}
