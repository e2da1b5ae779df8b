package civitai.daemon.download.segment;

import civitai.daemon.download.fetch.Bandwidth;
import civitai.daemon.download.fetch.BodyStream;
import civitai.daemon.download.part.DiskException;
import civitai.daemon.download.part.PartFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.function.BooleanSupplier;

/**
 * Copies one answer's body into the part at a {@link Segment}'s position until the segment is
 * full (its end may move closer while this runs: another connection took the rest) or the body
 * ends, paced by the shared bandwidth cap. Bytes beyond the segment's end are never written. Used
 * by one thread per transfer.
 */
public final class RangeTransfer {
    /** Told after each piece is in the file; called on the transfer's thread. */
    public interface Progress {
        void onBytes(int bytes) throws DiskException;
    }

    private final Bandwidth bandwidth;

    public RangeTransfer(Bandwidth bandwidth) {
        this.bandwidth = bandwidth;
    }

    /** Copies until the segment is full, the body ends, or {@code keepGoing} says to stop. */
    public void copy(BodyStream body, PartFile.Writer out, Segment segment,
            BooleanSupplier keepGoing, Runnable activity,
            Progress progress) throws IOException, InterruptedException {
        for (ByteBuffer piece; !segment.finished() && keepGoing.getAsBoolean()
                && (piece = body.next()) != null; ) {
            activity.run();
            int n = segment.claim(piece.remaining());
            if (n == 0) {
                break;
            }
            piece.limit(piece.position() + n);
            bandwidth.acquire(n);
            out.write(segment.done(), piece);
            segment.wrote(n);
            progress.onBytes(n);
        }
        if (Thread.interrupted()) {  // an interrupt that raced the end of the stream
            throw new InterruptedException();
        }
    }
}
