package civitai.daemon.download.fetch;

import civitai.daemon.download.part.BufferBudget;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A response body as a stream of the client's own buffers, read ahead up to a bound: one buffer
 * always, up to {@value #READ_AHEAD} while the shared {@link BufferBudget} lasts. Unlike
 * {@code BodyHandlers.ofInputStream()}, which lets the client read one buffer ahead and copies
 * each into the caller's array, this lets the socket run ahead of the disk and the hash (the
 * difference is measured in bench/). {@link #next()} is called by one thread; the client delivers
 * on its own threads. Interrupting the reader ends a wait with {@link InterruptedIOException}.
 */
public final class BodyStream implements HttpResponse.BodySubscriber<BodyStream>, AutoCloseable {
    // buffers of jdk.httpclient.bufsize (64-256 KiB, see BufferBudget)
    private static final int READ_AHEAD = 4;
    private static final ByteBuffer END = ByteBuffer.allocate(0);

    private final BufferBudget budget;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition arrived = lock.newCondition();
    private final ArrayDeque<ByteBuffer> buffers = new ArrayDeque<>();
    private final ArrayDeque<ByteBuffer> replay = new ArrayDeque<>();  // the reader's only
    private Flow.Subscription subscription;
    private Throwable failure;
    private boolean closed;
    private int outstanding;
    private int borrowed;  // read-ahead buffers beyond the first, from the budget; guarded by lock

    private BodyStream(BufferBudget budget) {
        this.budget = budget;
    }

    public static HttpResponse.BodyHandler<BodyStream> handler(BufferBudget budget) {
        return info -> new BodyStream(budget);
    }

    @Override
    public CompletionStage<BodyStream> getBody() {
        return CompletableFuture.completedFuture(this);
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
        lock.lock();
        try {
            subscription = s;
            if (closed) {
                s.cancel();
                return;
            }
            borrowed = budget.takeReadAhead(READ_AHEAD - 1);
            outstanding = 1 + borrowed;
        } finally {
            lock.unlock();
        }
        s.request(outstanding);
    }

    @Override
    public void onNext(List<ByteBuffer> items) {
        lock.lock();
        try {
            outstanding--;
            if (!closed) {
                for (ByteBuffer b : items) {
                    if (b.hasRemaining()) {
                        buffers.add(b);
                    }
                }
            }
            arrived.signalAll();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void onError(Throwable t) {
        finish(t);
    }

    @Override
    public void onComplete() {
        finish(null);
    }

    private void finish(Throwable t) {
        lock.lock();
        try {
            failure = t;
            buffers.add(END);
            giveBack();  // nothing more is asked for
            arrived.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Up to {@code n} first bytes of the body (fewer when it is shorter), without consuming them:
     * {@link #next()} still returns them.
     */
    public byte[] head(int n) throws IOException {
        var out = new ByteArrayOutputStream(n);
        ArrayDeque<ByteBuffer> taken = new ArrayDeque<>();
        for (ByteBuffer b; out.size() < n && (b = next()) != null; ) {
            taken.add(b);
            ByteBuffer view = b.duplicate();
            byte[] bytes = new byte[Math.min(n - out.size(), view.remaining())];
            view.get(bytes);
            out.write(bytes, 0, bytes.length);
        }
        for (var it = taken.descendingIterator(); it.hasNext(); ) {
            replay.addFirst(it.next());
        }
        return out.toByteArray();
    }

    /** The next piece of the body, or null at its end. */
    public ByteBuffer next() throws IOException {
        if (!replay.isEmpty()) {
            return replay.poll();
        }
        ByteBuffer b;
        int more = 0;
        lock.lock();
        try {
            while (buffers.isEmpty()) {
                arrived.await();
            }
            b = buffers.peek() == END ? END : buffers.poll();
            int window = 1 + borrowed;
            if (b != END && outstanding + buffers.size() <= window / 2) {
                more = window - outstanding - buffers.size();
                outstanding += more;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for data");
        } finally {
            lock.unlock();
        }
        if (more > 0) {
            subscription.request(more);
        }
        if (b == END) {
            if (failure != null) {
                throw failure instanceof IOException io ? io : new IOException(failure);
            }
            return null;
        }
        return b;
    }

    /** Up to {@code limit} first bytes of the body, for error answers. */
    public byte[] bytes(int limit) throws IOException {
        var out = new ByteArrayOutputStream();
        for (ByteBuffer b; out.size() < limit && (b = next()) != null; ) {
            byte[] bytes = new byte[Math.min(limit - out.size(), b.remaining())];
            b.get(bytes);
            out.write(bytes, 0, bytes.length);
        }
        return out.toByteArray();
    }

    /** Stops the transfer; the connection is not reused. */
    @Override
    public void close() {
        Flow.Subscription s;
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            buffers.clear();
            giveBack();
            s = subscription;
        } finally {
            lock.unlock();
        }
        if (s != null) {
            s.cancel();
        }
    }

    /** Returns the borrowed read-ahead to the budget; called under the lock. */
    private void giveBack() {
        budget.giveReadAhead(borrowed);
        borrowed = 0;
    }
}
