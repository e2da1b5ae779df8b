package civitai.daemon.download.part;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The shared bound on transfer buffers: lent up to its size, then a wait; read-ahead never beyond
 * its share.
 */
class BufferBudgetTest {
    @Test
    void aTakeBeyondTheBudget_waitsUntilABufferComesBack() throws Exception {
        BufferBudget budget = new BufferBudget(2, 0);
        byte[] first = budget.take();
        budget.take();
        var third = new CompletableFuture<byte[]>();
        Thread taker = Thread.ofPlatform().start(() -> {
            try {
                third.complete(budget.take());
            } catch (InterruptedException e) {
                third.completeExceptionally(e);
            }
        });
        awaitParked(taker);
        assertTrue(!third.isDone(), "the third take waits while two are lent");
        budget.give(first);
        assertSame(first, third.get(10, TimeUnit.SECONDS),
                "the returned buffer is lent again, not a new one");
        assertEquals(2, budget.mostLent());
    }

    @Test
    void readAhead_isGrantedUpToTheShare_andComesBack() {
        BufferBudget budget = new BufferBudget(1, 5);
        assertEquals(3, budget.takeReadAhead(3));
        assertEquals(2, budget.takeReadAhead(3), "what is left");
        assertEquals(0, budget.takeReadAhead(3),
                "none beyond the share: the connection keeps its one buffer");
        budget.giveReadAhead(3);
        assertEquals(2, budget.readAheadTaken());
    }

    @Test
    void clientBuffers_shrinkAsConnectionsGrow_within64And256KiB() {
        assertEquals(256 << 10, BufferBudget.clientBufferSize(4));
        assertEquals(256 << 10, BufferBudget.clientBufferSize(16));
        assertEquals(128 << 10, BufferBudget.clientBufferSize(32));
        assertEquals(64 << 10, BufferBudget.clientBufferSize(128));
    }

    /** Waits (10 s at most) until {@code t} is parked in a wait. */
    private static void awaitParked(Thread t) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (t.getState() != Thread.State.WAITING && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertEquals(Thread.State.WAITING, t.getState(), "the taker waits for a buffer");
    }
}
