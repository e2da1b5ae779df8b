package civitai.daemon.workflow;

import com.eclipsesource.json.JsonValue;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** What a body names, sniffed from its content (never from a file name). */
public final class WorkflowReader {
    /** A workflow is text of a few hundred KiB at most; a larger body is not one. */
    public static final int MAX_TEXT_BYTES = 4 << 20;

    private WorkflowReader() {}

    /** A PNG carries the workflow beside the image itself. */
    public static final int MAX_PNG_BYTES = 32 << 20;

    public static List<Reference> read(byte[] body) throws NotAWorkflow {
        if (PngText.isPng(body)) {
            return fromPng(body);
        }
        return readText(body);
    }

    private static List<Reference> readText(byte[] body) throws NotAWorkflow {
        if (body.length > MAX_TEXT_BYTES) {
            throw new NotAWorkflow("larger than " + (MAX_TEXT_BYTES >> 20) + " MiB");
        }
        String text = new String(body, StandardCharsets.UTF_8).strip();
        if (text.startsWith("{")) {
            JsonValue root = LenientJson.parse(text);
            if (root.isObject() && ComfyReader.isUi(root.asObject())) {
                return ComfyReader.readUi(root.asObject());
            }
            if (root.isObject() && ComfyReader.isApi(root.asObject())) {
                return ComfyReader.readApi(root.asObject());
            }
            throw new NotAWorkflow("JSON with neither \"nodes\" nor nodes with a \"class_type\"");
        }
        if (A1111Reader.looksLike(text)) {
            return A1111Reader.read(text);
        }
        throw new NotAWorkflow("no JSON object and no \"Steps:\" line");
    }

    /** ComfyUI's UI workflow says more than its prompt (URLs, muted nodes), so it goes first. */
    private static List<Reference> fromPng(byte[] png) throws NotAWorkflow {
        if (png.length > MAX_PNG_BYTES) {
            throw new NotAWorkflow("a PNG larger than " + (MAX_PNG_BYTES >> 20) + " MiB");
        }
        var texts = PngText.read(png);
        for (String key : List.of("workflow", "prompt", "parameters")) {
            if (texts.containsKey(key)) {
                return readText(texts.get(key).getBytes(StandardCharsets.UTF_8));
            }
        }
        throw new NotAWorkflow("a PNG with no workflow, prompt or parameters text");
    }
}
