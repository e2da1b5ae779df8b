package civitai.daemon.workflow;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * The text chunks of a PNG ({@code tEXt}, {@code zTXt}, and {@code iTXt}, which A1111 switches
 * to for non-Latin-1 prompts), by keyword. Compressed text is inflated up to the text limit only,
 * so a small zip bomb stays small.
 */
final class PngText {
    static final byte[] SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

    private PngText() {}

    static boolean isPng(byte[] body) {
        return body.length >= SIGNATURE.length
                && Arrays.equals(body, 0, SIGNATURE.length, SIGNATURE, 0, SIGNATURE.length);
    }

    static Map<String, String> read(byte[] png) throws NotAWorkflow {
        var texts = new HashMap<String, String>();
        var in = ByteBuffer.wrap(png, SIGNATURE.length, png.length - SIGNATURE.length);
        while (in.remaining() >= 12) {
            int length = in.getInt();
            byte[] type = new byte[4];
            in.get(type);
            if (length < 0 || length > in.remaining() - 4) {
                throw new NotAWorkflow("a PNG with a truncated chunk");
            }
            String t = new String(type, StandardCharsets.US_ASCII);
            if (t.equals("IEND")) {
                break;
            }
            if (!isText(t)) {
                // image data is not copied: a PNG may be 32 MiB
                in.position(in.position() + length + 4);
                continue;
            }
            byte[] data = new byte[length];
            in.get(data);
            in.getInt(); // the CRC: a damaged chunk shows as text that does not parse
            chunk(t, data, texts);
        }
        return texts;
    }

    private static boolean isText(String type) {
        return type.equals("tEXt") || type.equals("zTXt") || type.equals("iTXt");
    }

    private static void chunk(String type, byte[] data, Map<String, String> texts)
            throws NotAWorkflow {
        int nul = indexOf(data, 0);
        if (nul < 0) {
            return;
        }
        String key = new String(data, 0, nul, StandardCharsets.ISO_8859_1);
        switch (type) {
            case "tEXt" -> texts.put(key, new String(data, nul + 1, data.length - nul - 1,
                    StandardCharsets.ISO_8859_1));
            case "zTXt" -> texts.put(key, new String(inflate(data, nul + 2),
                    StandardCharsets.ISO_8859_1));
            default -> iTxt(key, data, nul, texts);
        }
    }

    /** keyword NUL, compression flag, method, language NUL, translated keyword NUL, UTF-8 text. */
    private static void iTxt(String key, byte[] data, int nul, Map<String, String> texts)
            throws NotAWorkflow {
        if (nul + 3 > data.length) {
            return;
        }
        boolean compressed = data[nul + 1] != 0;
        int lang = indexOf(data, nul + 3);
        int translated = lang < 0 ? -1 : indexOf(data, lang + 1);
        if (translated < 0) {
            return;
        }
        int start = translated + 1;
        byte[] text = compressed ? inflate(data, start)
                : Arrays.copyOfRange(data, start, data.length);
        texts.put(key, new String(text, StandardCharsets.UTF_8));
    }

    private static byte[] inflate(byte[] data, int from) throws NotAWorkflow {
        var inflater = new Inflater();
        try {
            inflater.setInput(data, Math.min(from, data.length), Math.max(0, data.length - from));
            var out = new ByteArrayOutputStream();
            byte[] buf = new byte[8192];
            while (!inflater.finished()) {
                int n = inflater.inflate(buf);
                if (n == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
                    break;
                }
                out.write(buf, 0, n);
                if (out.size() > WorkflowReader.MAX_TEXT_BYTES) {
                    throw new NotAWorkflow("a PNG text chunk inflates past "
                            + (WorkflowReader.MAX_TEXT_BYTES >> 20) + " MiB");
                }
            }
            return out.toByteArray();
        } catch (DataFormatException e) {
            throw new NotAWorkflow("a PNG text chunk that does not inflate");
        } finally {
            inflater.end();
        }
    }

    private static int indexOf(byte[] data, int from) {
        for (int i = from; i < data.length; i++) {
            if (data[i] == 0) {
                return i;
            }
        }
        return -1;
    }
}
