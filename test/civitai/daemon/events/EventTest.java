package civitai.daemon.events;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The sealed family's names, and the update checker's events as JSON. */
class EventTest {
    private static final Instant AT = Instant.parse("2026-01-02T03:04:05Z");

    /** One of each record. */
    private static final List<Event> ONE_OF_EACH = List.of(
            new Event.Queued(1, "lora/a.safetensors", "https://host/a"),
            new Event.Started(1, 1, 0, "host"), new Event.Progress(1, 10, 20L, 5, 2L, 1),
            new Event.Retrying(1, 2, "network_error", Duration.ZERO), new Event.Verifying(1),
            new Event.Completed(1, "/m/a", "ab", 20, Duration.ofSeconds(1), true),
            new Event.Failed(1, "hash_mismatch", "no"), new Event.Cancelled(1), new Event.Paused(1),
            new Event.Superseded(1, 2), new Event.ModelUpdate(AT,
                    new Event.CivitaiVersion(7, 8, "2025", "Style"), "ab", "s.safetensors"),
            new Event.ModelUpdateError(AT, new Event.CivitaiVersion(7), "gone"),
            new Event.ScanProgress(1, 2, 10, 20, 5, 2L),
            new Event.ScanFinished(2, 1, 0, 0, false, Duration.ofSeconds(1)),
            new Event.WaitingSpace(1, "waiting for space"));

    @Test
    void everyKind_belongsToOneRecord_andNamesAreUnique() {
        assertEquals(Set.of(Event.Kind.values()),
                ONE_OF_EACH.stream().map(Event::kind).collect(Collectors.toSet()));
        assertEquals(Event.Kind.values().length, ONE_OF_EACH.size(), "one record per kind");
        assertEquals(Event.Kind.values().length,
                Arrays.stream(Event.Kind.values()).map(Event.Kind::wire).distinct().count());
        assertEquals("job.superseded", new Event.Superseded(1, 2).name());
        assertEquals("model.update", ONE_OF_EACH.get(10).name());
        assertEquals("model.update.error", ONE_OF_EACH.get(11).name());
    }

    @Test
    void aModelUpdate_isTheDocumentWebhooksAndTheStreamCarry_fieldForField() {
        var update = new Event.ModelUpdate(AT,
                new Event.CivitaiVersion(777, 7002, "2025-06-01T00:00:00.000Z", "Style v2"),
                "abc", "style.safetensors");
        String expected = "{\"event\":\"model_update\",\"timestamp\":\"2026-01-02T03:04:05Z\","
                + "\"source\":\"civitai\",\"model_id\":777,"
                + "\"version_id\":7002,\"sha256\":\"abc\","
                + "\"updatedAt\":\"2025-06-01T00:00:00.000Z\",\"name\":\"Style v2\","
                + "\"filename\":\"style.safetensors\"}";
        assertEquals(expected, EventJson.payload(update));
        assertEquals(expected, EventJson.of(update, AT.plusSeconds(9)),
                "the frame keeps the checker's time");
    }

    @Test
    void aHubFilesUpdate_namesItsSource_repoPathAndCommit() {
        var update = new Event.ModelUpdate(AT,
                new Event.HubFile("org/flux", "vae/ae.safetensors", "main", "c0ffee"),
                "abc", "ae.safetensors");
        assertEquals("{\"event\":\"model_update\",\"timestamp\":\"2026-01-02T03:04:05Z\","
                + "\"source\":\"huggingface\",\"repo\":\"org/flux\","
                + "\"path\":\"vae/ae.safetensors\",\"revision\":\"main\",\"commit\":\"c0ffee\","
                + "\"sha256\":\"abc\",\"name\":\"org/flux\",\"filename\":\"ae.safetensors\"}",
                EventJson.payload(update));
        var error = new Event.ModelUpdateError(AT,
                new Event.HubFile("org/flux", "ae.safetensors", "main"), "gated");
        assertEquals("{\"event\":\"model_update_error\",\"timestamp\":\"2026-01-02T03:04:05Z\","
                + "\"source\":\"huggingface\",\"repo\":\"org/flux\",\"path\":\"ae.safetensors\","
                + "\"revision\":\"main\",\"error\":\"gated\"}", EventJson.payload(error));
    }

    @Test
    void aModelUpdateError_isItsDocument() {
        var error = new Event.ModelUpdateError(AT, new Event.CivitaiVersion(404404),
                "deleted on Civitai");
        String expected = "{\"event\":\"model_update_error\","
                + "\"timestamp\":\"2026-01-02T03:04:05Z\",\"source\":\"civitai\","
                + "\"model_id\":404404,\"error\":\"deleted on Civitai\"}";
        assertEquals(expected, EventJson.payload(error));
        assertEquals(expected, EventJson.of(error, AT));
    }

    @Test
    void theStream_framesAModelUpdate_underItsName() throws Exception {
        EventStream stream = new EventStream(1);
        try (EventStream.Subscriber s = stream.subscribe(null).orElseThrow()) {
            stream.on(ONE_OF_EACH.get(10));
            EventStream.Frame f = s.next(5, TimeUnit.SECONDS).orElseThrow();
            assertEquals("model.update", f.name());
            assertEquals(EventJson.payload((Event.ModelUpdate) ONE_OF_EACH.get(10)), f.data());
        }
    }
}
