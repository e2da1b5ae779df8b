package civitai.daemon.workflow;

import com.eclipsesource.json.JsonValue;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** What a body names, sniffed from its content (never from a file name). */
public final class WorkflowReader {
    /** A workflow is text of a few hundred KiB at most; a larger body is not one. */
    public static final int MAX_TEXT_BYTES = 4 << 20;

    private WorkflowReader() {}

    public static List<Reference> read(byte[] body) throws NotAWorkflow {
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
}
