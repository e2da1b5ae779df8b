package civitai.daemon.workflow;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/** Models named inside prompt text: {@code embedding:NAME} and {@code <lora:NAME:weight>}. */
final class TextReferences {
    private static final Pattern EMBEDDING = Pattern.compile("embedding:([^\\s,()\\[\\]:<>]+)");
    private static final Pattern LORA = Pattern.compile("<lora:([^:>]+)(?::[^>]*)?>");

    private TextReferences() {}

    static List<Reference> find(String node, String nodeClass, String text) {
        var refs = new ArrayList<Reference>();
        var e = EMBEDDING.matcher(text);
        while (e.find()) {
            refs.add(Reference.named(node, nodeClass, e.group(1), Optional.of("embeddings")));
        }
        var l = LORA.matcher(text);
        while (l.find()) {
            refs.add(Reference.named(node, nodeClass, l.group(1), Optional.of("loras")));
        }
        return refs;
    }
}
