package civitai.daemon.workflow;

import com.eclipsesource.json.JsonValue;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Civitai's own {@code Civitai resources: [...]} list in A1111 parameters: each entry names a
 * model version by id (or by an AIR), which is as exact as a reference gets. The version becomes
 * its Civitai download link, the form the download intake already resolves.
 */
final class CivitaiResources {
    private static final String LABEL = "Civitai resources: ";
    private static final Pattern AIR_VERSION =
            Pattern.compile("urn:air:[^:]+:[^:]+:civitai:\\d+@(\\d+)");
    private static final Map<String, String> FOLDER_BY_TYPE =
            Map.of("checkpoint", "checkpoints", "lora", "loras", "lycoris", "loras", "locon",
                    "loras", "embed", "embeddings", "textualinversion", "embeddings",
            "vae", "vae", "upscaler", "upscale_models", "controlnet", "controlnet");

    private CivitaiResources() {}

    static List<Reference> read(String text) throws NotAWorkflow {
        int at = text.indexOf(LABEL + "[");
        if (at < 0) {
            return List.of();
        }
        int start = at + LABEL.length();
        JsonValue list = LenientJson.parse(text.substring(start, end(text, start)));
        var refs = new ArrayList<Reference>();
        if (!list.isArray()) {
            return refs;
        }
        for (JsonValue e : list.asArray()) {
            if (e.isObject()) {
                var o = e.asObject();
                versionId(o.get("modelVersionId"), o.getString("air", "")).ifPresent(id ->
                        refs.add(new Reference("parameters", "Civitai resources",
                                o.getString("modelName", "version " + id),
                                Optional.ofNullable(FOLDER_BY_TYPE.get(
                                        o.getString("type", "").toLowerCase(Locale.ROOT))),
                                Optional.of("https://civitai.com/api/download/models/" + id),
                                Optional.empty())));
            }
        }
        return refs;
    }

    private static Optional<Long> versionId(JsonValue id, String air) {
        if (id != null && id.isNumber()) {
            return Optional.of(id.asLong());
        }
        var m = AIR_VERSION.matcher(air);
        return m.find() ? Optional.of(Long.parseLong(m.group(1))) : Optional.empty();
    }

    /** Just past the bracket that closes the list at {@code start}, strings respected. */
    private static int end(String text, int start) {
        int depth = 0;
        boolean inString = false;
        for (int i = start; i < text.length(); i++) {
            char c = text.charAt(i);
            if (inString) {
                if (c == '\\') {
                    i++;
                } else if (c == '"') {
                    inString = false;
                }
            } else if (c == '"') {
                inString = true;
            } else if (c == '[' || c == '{') {
                depth++;
            } else if ((c == ']' || c == '}') && --depth == 0) {
                return i + 1;
            }
        }
        return text.length();
    }
}
