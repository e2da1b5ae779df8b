package civitai.daemon.workflow;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/** Writes a 1x1 PNG with the text chunks a test asks for, as ComfyUI and A1111 save them. */
public final class PngWriter {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    public PngWriter() {
        out.writeBytes(PngText.SIGNATURE);
        chunk("IHDR", ByteBuffer.allocate(13).putInt(1).putInt(1).put((byte) 8).put((byte) 0)
                .array());
    }

    public PngWriter text(String key, String value) {
        return chunk("tEXt", concat(latin1(key), new byte[] {0}, latin1(value)));
    }

    public PngWriter ztext(String key, String value) {
        return chunk("zTXt", concat(latin1(key), new byte[] {0, 0}, deflate(latin1(value))));
    }

    public PngWriter itext(String key, String value, boolean compressed) {
        byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
        return chunk("iTXt", concat(latin1(key),
                new byte[] {0, (byte) (compressed ? 1 : 0), 0, 0, 0},
                compressed ? deflate(utf8) : utf8));
    }

    public byte[] bytes() {
        chunk("IEND", new byte[0]);
        return out.toByteArray();
    }

    private PngWriter chunk(String type, byte[] data) {
        byte[] t = type.getBytes(StandardCharsets.US_ASCII);
        var crc = new CRC32();
        crc.update(t);
        crc.update(data);
        out.writeBytes(ByteBuffer.allocate(4).putInt(data.length).array());
        out.writeBytes(t);
        out.writeBytes(data);
        out.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
        return this;
    }

    private static byte[] latin1(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static byte[] deflate(byte[] in) {
        var d = new Deflater();
        d.setInput(in);
        d.finish();
        var o = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        while (!d.finished()) {
            o.write(buf, 0, d.deflate(buf));
        }
        d.end();
        return o.toByteArray();
    }

    private static byte[] concat(byte[]... parts) {
        var o = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            o.writeBytes(p);
        }
        return o.toByteArray();
    }
}
