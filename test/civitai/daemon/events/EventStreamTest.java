package civitai.daemon.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.eclipsesource.json.Json;
import com.eclipsesource.json.JsonObject;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A frame says what the event was when it was published, however late it is read; the replay keeps
 * the newest.
 */
class EventStreamTest {
    @Test
    void aFrameReadLater_carriesThePublishTime() throws Exception {
        EventStream stream = new EventStream(2);
        Instant before = Instant.now();
        stream.on(new Event.Queued(7, "lora/a.safetensors", "https://host/a"));
        Instant after = Instant.now();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!Instant.now().isAfter(after) && System.nanoTime() < deadline) {
            Thread.onSpinWait();  // the clock moves on, so a frame stamped when read would say so
        }

        EventStream.Subscriber late = stream.subscribe(0L).orElseThrow();
        EventStream.Frame frame = late.next(1, TimeUnit.SECONDS).orElseThrow();
        JsonObject data = Json.parse(frame.data()).asObject();
        Instant time = Instant.parse(data.getString("time", ""));
        assertTrue(!time.isBefore(before) && !time.isAfter(after),
                time + " not within the publish");
        assertEquals("job.queued", frame.name());
        assertEquals(1, frame.id());
    }

    @Test
    void ofTenThousandFrames_theReplayKeepsTheNewest_andAnOlderIdGetsAReset() throws Exception {
        EventStream stream = new EventStream(2);
        for (int i = 1; i <= 10_000; i++) {
            stream.on(new Event.Verifying(i));
        }
        EventStream.Subscriber recent = stream.subscribe(10_000L - EventStream.REPLAY)
                .orElseThrow();
        EventStream.Frame first = recent.next(1, TimeUnit.SECONDS).orElseThrow();
        assertEquals(10_000 - EventStream.REPLAY + 1, first.id());
        assertEquals(first.id(), Json.parse(first.data()).asObject().getLong("job_id", 0));

        EventStream.Subscriber old = stream.subscribe(100L).orElseThrow();
        assertEquals("reset", old.next(1, TimeUnit.SECONDS).orElseThrow().name());
    }
}
