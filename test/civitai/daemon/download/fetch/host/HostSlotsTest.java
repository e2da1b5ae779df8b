package civitai.daemon.download.fetch.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * max_connections_per_host: extras only within the cap, and they make way for a first connection.
 */
class HostSlotsTest {
    static final URI HOST = URI.create("http://127.0.0.1:9000/files/a");
    static final URI OTHER = URI.create("http://127.0.0.1:9001/files/a");

    @Test
    void extras_stopAtTheCap_perHost() throws InterruptedException {
        HostSlots slots = new HostSlots(3);
        slots.takeFirst(HOST, Duration.ofSeconds(1));
        assertTrue(slots.tryTake(HOST));
        assertTrue(slots.tryTake(HOST));
        assertFalse(slots.tryTake(HOST), "a fourth would pass the cap");
        assertTrue(slots.tryTake(OTHER), "another host has its own slots");
        slots.release(HOST);
        assertTrue(slots.tryTake(HOST));
        assertEquals(3, slots.held(HOST));
    }

    @Test
    void aWaitingFirstConnection_isWanted_andGetsTheSlotAnExtraGivesUp()
            throws InterruptedException {
        HostSlots slots = new HostSlots(2);
        slots.takeFirst(HOST, Duration.ofSeconds(1));
        assertTrue(slots.tryTake(HOST));
        CountDownLatch took = new CountDownLatch(1);
        Thread second = Thread.ofVirtual().start(() -> {
            try {
                slots.takeFirst(HOST, Duration.ofSeconds(30));
                took.countDown();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!slots.wanted(HOST) && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertTrue(slots.wanted(HOST), "the extra is asked to make way");
        assertFalse(slots.tryTake(HOST), "no new extra while a first connection waits");
        assertEquals(1, took.getCount(), "still waiting: the host is full");
        slots.release(HOST);  // the extra gives its slot up
        assertTrue(took.await(10, TimeUnit.SECONDS));
        second.join();
        assertEquals(2, slots.held(HOST));
        assertFalse(slots.wanted(HOST));
    }
}
