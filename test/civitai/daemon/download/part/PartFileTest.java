package civitai.daemon.download.part;

import static org.junit.jupiter.api.Assertions.assertEquals;

import civitai.daemon.target.Targets;
import civitai.daemon.testing.Bytes;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Positional writes from several writers, hashed in file order as the prefix grows. */
class PartFileTest {
    @TempDir
    Path dir;

    @Test
    void rangesWrittenOutOfOrder_byConcurrentWriters_hashAsTheWholeFile() throws Exception {
        byte[] content = Bytes.random(3_000_000, 5);
        PartFile part = PartFile.beside(dir.resolve("m.bin"), BufferBudget.standard());
        long[] starts = {0, 700_001, 1_500_000, 2_400_123, content.length};
        List<Future<?>> done = new ArrayList<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = starts.length - 2; i >= 0; i--) {  // the last range first
                long from = starts[i];
                long to = starts[i + 1];
                done.add(pool.submit(() -> writeInPieces(part, content, from, to)));
            }
            for (Future<?> f : done) {
                f.get();
            }
        }
        assertEquals(content.length, part.length());
        assertEquals(Bytes.sha256(content), part.sha256());
        assertEquals(Bytes.sha256(content), Bytes.sha256(Files.readAllBytes(part.path())));
    }

    @Test
    void journalledRanges_areTrustedAndThePrefixIsHashedOnce() throws Exception {
        byte[] content = Bytes.random(1_000_000, 6);
        Path target = dir.resolve("j.bin");
        Files.write(Targets.part(target), content);
        PartFile part = PartFile.journalled(target, BufferBudget.standard(), 300_000,
                Map.of(600_000L, 1_000_000L));
        assertEquals(300_000, part.length());
        writeInPieces(part, content, 300_000, 600_000);
        assertEquals(content.length, part.length());
        assertEquals(Bytes.sha256(content), part.sha256());
    }

    private static Void writeInPieces(PartFile part, byte[] content, long from, long to)
            throws Exception {
        try (PartFile.Writer out = part.writer()) {
            for (long at = from; at < to; ) {
                int n = (int) Math.min(100_003, to - at);
                out.write(at, ByteBuffer.wrap(content, (int) at, n).asReadOnlyBuffer());
                at += n;
            }
        }
        return null;
    }
}
