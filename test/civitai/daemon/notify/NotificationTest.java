package civitai.daemon.notify;

import static civitai.daemon.testing.TestDaemon.entry;
import static civitai.daemon.testing.TestDaemon.manifest;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import civitai.daemon.testing.Bytes;
import civitai.daemon.testing.DaemonTest;
import civitai.daemon.testing.FakeDiscord;
import civitai.daemon.testing.FakeNtfy;
import civitai.daemon.testing.FakeService;
import civitai.daemon.testing.FakeTelegram;
import civitai.daemon.testing.Poll;
import civitai.daemon.testing.TestDaemon;
import com.eclipsesource.json.JsonArray;
import com.eclipsesource.json.JsonObject;
import com.eclipsesource.json.JsonValue;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Telegram, ntfy and Discord targets against fakes that check each request's shape, fail the
 * first tries and ask for waits; the delivery log behind them; the test route; redaction.
 */
class NotificationTest extends DaemonTest {
    static final String BOT_TOKEN = "123456:AAbot-token-for-tests_x";
    static final String NTFY_TOKEN = "tk_ntfytokenfortests";
    static final String DISCORD_TOKEN = "discordWebhookTokenForTests";
    byte[] content = Bytes.random(150_000, 7);
    FakeTelegram telegram;
    FakeNtfy ntfy;
    FakeDiscord discord;

    @BeforeEach
    void startFakes() throws IOException {
        telegram = FakeTelegram.start(BOT_TOKEN, "-100200300");
        ntfy = FakeNtfy.start("civitai-models", NTFY_TOKEN);
        discord = FakeDiscord.start("98765", DISCORD_TOKEN);
    }

    @AfterEach
    void stopFakes() {
        telegram.close();
        ntfy.close();
        discord.close();
    }

    private JsonObject telegramTarget() {
        return new JsonObject().add("type", "telegram").add("bot_token", BOT_TOKEN)
                .add("chat_id", "-100200300").add("api_url", telegram.base().toString());
    }

    private JsonObject ntfyTarget() {
        return new JsonObject().add("type", "ntfy").add("url", "https://ntfy.sh/civitai-models")
                .add("token", NTFY_TOKEN).add("api_url", ntfy.base().toString());
    }

    private JsonObject discordTarget() {
        return new JsonObject().add("type", "discord").add("webhook_url", discord.webhookUrl());
    }

    private JsonObject withTargets(JsonObject... targets) {
        JsonArray list = new JsonArray();
        for (JsonObject t : targets) {
            list.add(t);
        }
        return config("webhook_retry_delay", 0.05).set("notifications", list);
    }

    private JsonValue namedEntry(String file, byte[] bytes) {
        return entry("lora", file, storage.put(file, bytes), Bytes.sha256(bytes))
                .add("name", "Pixel_Art [v2.0] (SDXL) *best*!").add("modelId", 11821);
    }

    private List<String> states(String target) {
        return daemon.db().query("SELECT state FROM webhook_deliveries WHERE target = ?", target)
                .stream().map(r -> (String) r.get("state")).toList();
    }

    private void settled(String target, int count) {
        Poll.until(() -> states(target).size() == count
                && states(target).stream().noneMatch("pending"::equals),
                () -> count + " settled deliveries to " + target + ": " + states(target));
    }

    @Test
    void telegram_getsReadableMarkdownV2_afterAnErrorAndA429ItWaitsOut() {
        telegram.failNext(1, 500);
        telegram.rateLimitNext(1);
        start(withTargets(telegramTarget()), manifest(namedEntry("pixel.safetensors", content)));
        daemon.await(1, "completed");
        settled("telegram", 1);

        assertEquals(List.of(), telegram.problems());
        List<FakeService.Received> got = telegram.received();
        assertEquals(List.of(500, 429, 200),
                got.stream().map(FakeService.Received::answered).toList());
        Duration waited = Duration.between(got.get(1).at(), got.get(2).at());
        assertTrue(waited.compareTo(Duration.ofMillis(950)) >= 0,
                "retry_after 1 was honoured: " + waited);
        String shown = FakeTelegram.shown(got.get(2).json().getString("text", ""));
        assertTrue(shown.contains("Downloaded: Pixel_Art [v2.0] (SDXL) *best*!"), shown);
        assertTrue(shown.contains("Type: lora") && shown.contains("File: pixel.safetensors"),
                shown);
        assertTrue(shown.contains("Size: 146.5 KiB") && shown.contains("Time: ")
                && shown.contains("Speed: "), shown);
        assertEquals(3, daemon.db().one("SELECT attempts FROM webhook_deliveries"
                + " WHERE target = 'telegram'").get("attempts"));
        assertFalse(daemon.log("error.log").contains("subscriber failed"), daemon.log("error.log"));
    }

    @Test
    void ntfy_getsTheFailureReasonWithHighPriority_andOnlyTheEventsItAskedFor() {
        ntfy.rateLimitNext(1);
        start(withTargets(ntfyTarget().add("events", new JsonArray().add("download_failed"))),
                manifest(namedEntry("good.safetensors", content),
                        entry("lora", "gone.safetensors", storage.url("missing"), null)));
        daemon.await(1, "completed");
        daemon.await(2, "failed");
        settled("ntfy", 1);

        assertEquals(List.of(), ntfy.problems());
        List<FakeService.Received> got = ntfy.received();
        assertEquals(List.of(429, 200), got.stream().map(FakeService.Received::answered).toList());
        assertTrue(Duration.between(got.get(0).at(), got.get(1).at())
                .compareTo(Duration.ofMillis(950)) >= 0, "Retry-After: 1 was honoured");
        JsonObject published = got.get(1).json();
        assertEquals("Download failed: gone.safetensors", published.getString("title", ""));
        assertEquals(4, published.getInt("priority", 0));
        assertEquals("x", published.get("tags").asArray().get(0).asString());
        assertTrue(published.getString("message", "").contains("Reason: "), published.toString());
        assertEquals(0, daemon.db().count("SELECT count(*) FROM webhook_deliveries"
                + " WHERE event = 'download_completed'"),
                "the completion is not an event this target asked for");
    }

    @Test
    void discord_getsAnEmbed_afterA429WithRetryAfterInItsBody() {
        discord.rateLimitNext(0.5);
        start(withTargets(discordTarget().add("api_url", discord.base().toString())),
                manifest(namedEntry("d.safetensors", content)));
        daemon.await(1, "completed");
        settled("discord", 1);

        assertEquals(List.of(), discord.problems());
        JsonObject embed = discord.accepted().get(0).json().get("embeds").asArray().get(0)
                .asObject();
        assertEquals("Downloaded: Pixel_Art [v2.0] (SDXL) *best*!", embed.getString("title", ""));
        assertEquals(0x2ECC71, embed.getInt("color", 0));
        assertTrue(embed.get("fields").toString().contains("\"Size\""), embed.toString());
    }

    @Test
    void theTestRoute_sendsNow_andTheListShowsEachTarget_withSecretsRedacted() throws IOException {
        telegram.failNext(1, 500);
        start(withTargets(telegramTarget(), ntfyTarget(), discordTarget()), manifest());

        var failed = daemon.post("/api/notifications/telegram/test", null);
        assertEquals(200, failed.statusCode());
        JsonObject first = TestDaemon.json(failed);
        assertFalse(first.getBoolean("delivered", true), "a test is tried once, not retried");
        assertEquals("failed", first.get("delivery").asObject().getString("state", ""));
        JsonObject second = TestDaemon.json(daemon.post("/api/notifications/telegram/test", null));
        assertTrue(second.getBoolean("delivered", false), second.toString());
        assertTrue(FakeTelegram.shown(telegram.accepted().get(0).json().getString("text", ""))
                .contains("Test notification from civitai-daemon"));
        assertEquals(200, daemon.post("/api/notifications/ntfy/test", null).statusCode());
        assertEquals(1, ntfy.accepted().size());
        assertEquals(404, daemon.post("/api/notifications/nobody/test", null).statusCode());

        String listed = daemon.get("/api/notifications").body() + daemon.get("/api/webhooks").body()
                + daemon.get("/api/notifications?target=telegram").body();
        for (String secret : List.of(BOT_TOKEN, NTFY_TOKEN, DISCORD_TOKEN)) {
            assertFalse(listed.contains(secret), "the API shows no " + secret);
        }
        JsonArray targets = daemon.getJson("/api/notifications").get("targets").asArray();
        assertEquals(List.of("telegram", "ntfy", "discord"),
                targets.values().stream().map(t -> t.asObject().getString("name", "")).toList());
        JsonObject tg = targets.get(0).asObject();
        assertEquals(1, tg.getLong("delivered", 0));
        assertEquals(1, tg.getLong("failed", 0));
        assertEquals(2, daemon.getJson("/api/notifications?target=telegram").get("deliveries")
                .asArray().size());
        assertEquals(404, daemon.get("/api/notifications?target=nobody").statusCode());
        assertEquals(List.of(), telegram.problems());
    }

    @Test
    void failures_areLoggedWithoutTheTokens() throws IOException {
        JsonObject deadTelegram = telegramTarget().set("api_url", "http://127.0.0.1:9");
        JsonObject deadDiscord = discordTarget().add("api_url", "http://127.0.0.1:9");
        start(withTargets(deadTelegram, deadDiscord).set("webhook_retry_delay", 0.01),
                manifest(namedEntry("x.safetensors", content)));
        daemon.await(1, "completed");
        settled("telegram", 1);
        settled("discord", 1);
        String logs = daemon.log("download.log") + daemon.log("error.log")
                + Files.readString(dir.resolve("console.log"));
        assertTrue(logs.contains("telegram download_completed to"
                + " http://127.0.0.1:9/bot[REDACTED]/sendMessage (telegram)"),
                "the failures are logged");
        assertFalse(logs.contains(BOT_TOKEN) || logs.contains(DISCORD_TOKEN),
                "no token in the logs");
    }

    @Test
    void pendingDeliveries_surviveARestart_andGoWhereTheTargetNowPoints() throws IOException {
        JsonObject deadTelegram = telegramTarget().set("api_url", "http://127.0.0.1:9");
        start(withTargets(deadTelegram).set("webhook_retry_delay", 0.2),
                manifest(namedEntry("r.safetensors", content)));
        daemon.await(1, "completed");
        Poll.until(() -> daemon.db().count("SELECT count(*) FROM webhook_deliveries"
                + " WHERE attempts > 0") >= 1, () -> "a first failed attempt");
        daemon.stop();
        assertEquals(List.of("pending"), states("telegram"));

        Files.writeString(dir.resolve("config.json"), withTargets(telegramTarget()).toString());
        daemon.startAgain();
        settled("telegram", 1);
        assertEquals(List.of("delivered"), states("telegram"));
        assertEquals(1, telegram.accepted().size());
        assertTrue(FakeTelegram.shown(telegram.accepted().get(0).json().getString("text", ""))
                .contains("r.safetensors"));
    }
}
