package civitai.daemon.http;

import static civitai.daemon.testing.TestDaemon.entry;
import static civitai.daemon.testing.TestDaemon.manifest;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import civitai.daemon.testing.Bytes;
import civitai.daemon.testing.DaemonTest;
import civitai.daemon.testing.Poll;
import civitai.daemon.testing.SseClient;
import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Live progress as server-sent events, read with a real HTTP client. */
class EventsTest extends DaemonTest {
    byte[] content = Bytes.random(1_500_000, 71);

    private URI events(String path) {
        return URI.create("http://127.0.0.1:" + daemon.port() + path);
    }

    @Test
    void aDownload_isFollowedFromQueuedToCompleted() {
        storage.pace(1_000_000);
        start(manifest());
        try (SseClient sse = SseClient.connect(events("/api/events"))) {
            assertEquals(200, sse.status());
            assertTrue(sse.contentType().startsWith("text/event-stream"));
            daemon.post("/api/download", entry("lora", "live.safetensors",
                    storage.put("live", content), Bytes.sha256(content)).toString());

            sse.await("job.queued", 1);
            sse.await("job.started", 1);
            var progress = sse.await("job.progress", 1);
            assertTrue(progress.data().contains("\"total\":1500000"), progress.data());
            assertTrue(progress.data().contains("\"bytes_per_second\""));
            sse.await("job.verifying", 1);
            var done = sse.await("job.completed", 1);
            assertTrue(done.data().contains(Bytes.sha256(content)));
            List<Long> ids = sse.events().stream().map(e -> Long.parseLong(e.id())).toList();
            for (int i = 1; i < ids.size(); i++) {
                assertTrue(ids.get(i) > ids.get(i - 1), "ids increase: " + ids);
            }
            long progressEvents = sse.events().stream().filter(e -> e.name().equals("job.progress"))
                    .count();
            assertTrue(progressEvents >= 1 && progressEvents <= 4 * 3 + 4,
                    "throttled progress: " + progressEvents);
        }
    }

    @Test
    void reconnectWithLastEventId_replaysWhatWasMissed() {
        start(manifest());
        String lastSeen;
        try (SseClient first = SseClient.connect(events("/api/events"))) {
            daemon.post("/api/download", entry("lora", "a.safetensors", storage.put("a", content),
                    null).toString());
            lastSeen = first.await("job.completed", 1).id();
        }
        daemon.post("/api/download", entry("lora", "b.safetensors", storage.put("b", content), null)
                .toString());
        daemon.await(2, "completed");

        try (SseClient again = SseClient.connect(events("/api/events"), "Last-Event-ID",
                lastSeen)) {
            var queued = again.await("job.queued", 2);
            again.await("job.completed", 2);
            assertEquals(Long.parseLong(lastSeen) + 1, Long.parseLong(again.events().get(0).id()),
                    "the replay starts right after the last event seen");
            assertTrue(again.events().indexOf(queued) == 0);
            assertFalse(again.events().stream()
                    .anyMatch(e -> e.data().matches(".*\"job_id\":1[,}].*")));
        }
    }

    @Test
    void aTooOldOrForeignLastEventId_getsAReset() {
        start(manifest());
        try (SseClient sse = SseClient.connect(events("/api/events"), "Last-Event-ID", "999999")) {
            var reset = sse.await(e -> e.name().equals("reset"), "a reset");
            assertTrue(reset.data().contains("/api/status"));
        }
    }

    @Test
    void idleStreams_getHeartbeats_andTheOldPathServesTheSameStream() {
        start(config("event_heartbeat", 0.1), manifest());
        try (SseClient ws = SseClient.connect(events("/ws/downloads"))) {
            Poll.until(() -> ws.comments().contains("heartbeat"),
                    () -> "a heartbeat comment; got " + ws.comments());
            daemon.post("/api/download", entry("lora", "h.safetensors", storage.put("h", content),
                    null).toString());
            ws.await("job.completed", 1);
        }
    }
}
