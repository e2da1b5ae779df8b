package civitai.daemon.download;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.function.LongSupplier;

/**
 * Copies one answer's body into the part from a position up to a bound that may shrink while it
 * runs (another connection stole the rest), paced by the shared bandwidth cap. Bytes beyond the
 * bound are never written. Used by one thread per transfer.
 */
final class RangeTransfer {
    /** Told after each piece is in the file; called on the transfer's thread. */
    interface Progress {
        void onBytes(int bytes);
    }

    private final Bandwidth bandwidth;

    RangeTransfer(Bandwidth bandwidth) {
        this.bandwidth = bandwidth;
    }

    /**
     * Copies from {@code body} into {@code out} starting at {@code position} until the body ends
     * or {@code end} (exclusive; read each piece) is reached; returns the position reached.
     */
    long copy(BodyStream body, PartFile.Writer out, long position, LongSupplier end, Runnable activity,
            Progress progress) throws IOException, InterruptedException {
        for (ByteBuffer piece; position < end.getAsLong() && (piece = body.next()) != null; ) {
            activity.run();
            long room = end.getAsLong() - position;
            if (piece.remaining() > room) {
                piece.limit(piece.position() + (int) Math.max(0, room));
            }
            bandwidth.acquire(piece.remaining());
            int n = out.write(position, piece);
            position += n;
            progress.onBytes(n);
        }
        if (Thread.interrupted()) {  // an interrupt that raced the end of the stream
            throw new InterruptedException();
        }
        return position;
    }
}
