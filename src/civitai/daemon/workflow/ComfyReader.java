package civitai.daemon.workflow;

import com.eclipsesource.json.JsonObject;
import com.eclipsesource.json.JsonValue;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The model references in a ComfyUI workflow, in the UI format or the API ("prompt") format. */
final class ComfyReader {
    /** Muted and bypassed nodes do not run, so they need no model. */
    private static final int MUTED = 2;
    private static final int BYPASSED = 4;

    private ComfyReader() {}

    static boolean isUi(JsonObject root) {
        return root.get("nodes") != null && root.get("nodes").isArray();
    }

    static boolean isApi(JsonObject root) {
        if (root.isEmpty()) {
            return false;
        }
        for (var m : root) {
            if (!m.getValue().isObject() || m.getValue().asObject().get("class_type") == null) {
                return false;
            }
        }
        return true;
    }

    static List<Reference> readUi(JsonObject root) {
        var refs = new ArrayList<Reference>();
        nodes(root, refs);
        modelList(root.get("models"), "workflow", "", refs);
        return refs;
    }

    /** The graph's own nodes and, recursively, those of every subgraph it defines. */
    private static void nodes(JsonObject graph, List<Reference> refs) {
        JsonValue nodes = graph.get("nodes");
        if (nodes != null && nodes.isArray()) {
            for (JsonValue n : nodes.asArray()) {
                if (n.isObject()) {
                    uiNode(n.asObject(), refs);
                }
            }
        }
        JsonValue defs = graph.get("definitions");
        if (defs != null && defs.isObject()
                && defs.asObject().get("subgraphs") instanceof JsonValue subs && subs.isArray()) {
            for (JsonValue sub : subs.asArray()) {
                if (sub.isObject()) {
                    nodes(sub.asObject(), refs);
                }
            }
        }
    }

    private static void uiNode(JsonObject node, List<Reference> refs) {
        int mode = node.getInt("mode", 0);
        if (mode == MUTED || mode == BYPASSED) {
            return;
        }
        JsonValue rawId = node.get("id");
        String id = rawId == null ? "?" : rawId.isString() ? rawId.asString() : rawId.toString();
        String type = node.getString("type", "");
        JsonValue props = node.get("properties");
        var declared = new ArrayList<Reference>();
        if (props != null && props.isObject()) {
            modelList(props.asObject().get("models"), id, type, declared);
        }
        refs.addAll(declared);
        JsonValue widgets = node.get("widgets_values");
        if (widgets != null && widgets.isArray()) {
            for (JsonValue w : widgets.asArray()) {
                value(id, type, w, declared, refs);
            }
        }
    }

    static List<Reference> readApi(JsonObject root) {
        var refs = new ArrayList<Reference>();
        for (var m : root) {
            JsonObject node = m.getValue().asObject();
            String type = node.getString("class_type", "");
            JsonValue inputs = node.get("inputs");
            if (inputs != null && inputs.isObject()) {
                for (var in : inputs.asObject()) {
                    value(m.getName(), type, in.getValue(), List.of(), refs);
                }
            }
        }
        return refs;
    }

    /**
     * A widget or input value naming a model file, unless {@code properties.models} already did.
     */
    private static void value(String id, String type, JsonValue v, List<Reference> declared,
            List<Reference> refs) {
        if (!v.isString()) {
            return;
        }
        String s = v.asString();
        refs.addAll(TextReferences.find(id, type, s));
        if (!LoaderTable.looksLikeModel(s) || declared.stream().anyMatch(r -> r.name().equals(s))) {
            return;
        }
        refs.add(Reference.named(id, type, s, LoaderTable.folderOf(type)));
    }

    /** {@code [{name, url, directory, hash?}]}, on a node or on the whole workflow. */
    private static void modelList(JsonValue list, String id, String type, List<Reference> refs) {
        if (list == null || !list.isArray()) {
            return;
        }
        for (JsonValue e : list.asArray()) {
            if (!e.isObject() || !(e.asObject().get("name") instanceof JsonValue n)
                    || !n.isString()) {
                continue;
            }
            JsonObject o = e.asObject();
            refs.add(new Reference(id, type, n.asString(),
                    Optional.ofNullable(o.getString("directory", null))
                            .map(LoaderTable::modernFolder),
                    Optional.ofNullable(o.getString("url", null)),
                    Optional.ofNullable(o.getString("hash", null))));
        }
    }
}
