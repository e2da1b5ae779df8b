package civitai.daemon.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import civitai.daemon.target.ExistingFiles;
import civitai.daemon.target.Layout;
import civitai.daemon.target.ReuseMode;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ConfigLoaderTest {
    @TempDir Path dir;

    private ConfigLoader.Loaded load(String json, Map<String, String> env) throws Exception {
        Path file = dir.resolve("config.json");
        Files.writeString(file, json);
        return new ConfigLoader(env).load(file);
    }

    private Config load(String json) throws Exception {
        return load(json, Map.of()).config();
    }

    @Test
    void emptyObject_givesTheDocumentedDefaults() throws Exception {
        Config c = load("{}");
        assertEquals(Duration.ofSeconds(1), c.throttle());
        assertEquals(5, c.retries());
        assertEquals(2, c.workers());
        assertEquals(Duration.ofHours(1), c.timeout());
        assertEquals(Duration.ofSeconds(60), c.stallTimeout());
        assertEquals(0, c.maxDownloadSpeed());
        assertEquals(dir.resolve("data/models"), c.downloadDir());
        assertNull(c.activePort());
        assertEquals("127.0.0.1", c.bindAddress());
        assertEquals(URI.create("https://civitai.com/api/v1"), c.civitaiUrl());
        assertEquals(ManifestMode.REPLACE, c.manifestMode());
        assertEquals(dir.resolve("completed.db"), c.databaseFile());
        assertEquals(dir.resolve("logs"), c.logDir());
        assertEquals(List.of(), c.webhookUrls());
        assertNull(c.civitaiApiKey());
    }

    @Test
    void segmentKeys_haveTheirDefaults_andAreRead() throws Exception {
        Config defaults = load("{}");
        assertEquals(4, defaults.connectionsPerDownload());
        assertEquals(32L << 20, defaults.minSegmentSize());
        assertEquals(8, defaults.maxConnectionsPerHost());
        Config set = load("{\"connections_per_download\": 16, \"min_segment_size\": 65536,"
                + " \"max_connections_per_host\": 2}");
        assertEquals(16, set.connectionsPerDownload());
        assertEquals(65536, set.minSegmentSize());
        assertEquals(2, set.maxConnectionsPerHost());
    }

    @Test
    void choices_areReadIntoTheirTypes_withTheirDefaults() throws Exception {
        Config defaults = load("{}");
        assertEquals(Layout.FLAT, defaults.layout());
        assertEquals(ExistingFiles.KEEP, defaults.existingFiles());
        assertEquals(ReuseMode.LINK, defaults.libraryReuse());
        assertEquals(ManifestMode.REPLACE, defaults.manifestMode());
        Config set = load("{\"layout\": \"a1111\", \"existing_files\": \"backup\","
                + " \"library_reuse\": \"off\", \"manifest_mode\": \"append\"}");
        assertEquals(Layout.A1111, set.layout());
        assertEquals(ExistingFiles.BACKUP, set.existingFiles());
        assertEquals(ReuseMode.OFF, set.libraryReuse());
        assertEquals(ManifestMode.APPEND, set.manifestMode());
        assertEquals(Layout.COMFYUI, load("{\"layout\": \"comfyui\"}").layout());
        assertEquals(ExistingFiles.REPLACE,
                load("{\"existing_files\": \"replace\"}").existingFiles());
        assertEquals(ReuseMode.COPY, load("{\"library_reuse\": \"copy\"}").libraryReuse());
    }

    @Test
    void filePreferences_areReadIntoTheirRecord() throws Exception {
        assertEquals(FilePreferences.NONE, load("{}").filePreferences());
        assertEquals(FilePreferences.NONE, load("{\"file_preferences\": null}").filePreferences());
        assertEquals(new FilePreferences("SafeTensor", "fp16", null),
                load("{\"file_preferences\": {\"format\": \"SafeTensor\", \"fp\": \"fp16\"}}")
                        .filePreferences());
        assertEquals(new FilePreferences(null, null, "pruned"),
                load("{\"file_preferences\": {\"size\": \"pruned\"}}").filePreferences());
    }

    @Test
    void maxFileSize_isGenerousByDefault_andRead() throws Exception {
        assertEquals(256L << 30, load("{}").maxFileSize());
        assertEquals(1L << 20, load("{\"max_file_size\": 1048576}").maxFileSize());
    }

    @Test
    void theShippedConfig_isValid() throws Exception {
        Config c = new ConfigLoader(Map.of()).load(Path.of("config.json")).config();
        assertNull(c.activePort(), "a fresh install picks its port");
        assertEquals(Path.of("data/models").toAbsolutePath(), c.downloadDir());
    }

    @Test
    void relativePaths_resolveAgainstTheConfigFolder_notTheWorkingDirectory() throws Exception {
        Config c = load("{\"download_dir\": \"../models\", \"database\": \"db/x.db\"}");
        assertEquals(dir.getParent().resolve("models"), c.downloadDir());
        assertEquals(dir.resolve("db/x.db"), c.databaseFile());
    }

    @Test
    void environment_overridesTheSecrets() throws Exception {
        Config c = load("{\"civitai_api_key\": \"from-file\", \"jwt_secret\": \"file-secret\"}",
                Map.of("CIVITAI_API_KEY", "from-env", "CIVITAI_DAEMON_JWT_SECRET", "env-secret"))
                        .config();
        assertEquals("from-env", c.civitaiApiKey());
        assertEquals("env-secret", c.jwtSecret());
        assertEquals(List.of("from-env", "env-secret"), c.secrets());
    }

    @Test
    void hfToken_isASecret_readFromTheEnvironmentWhenWrittenAsAReference() throws Exception {
        Config c = load("{\"hf_token\": \"${MY_HF}\", \"hf_endpoint\":"
                + " \"https://hf-mirror.example\"}", Map.of("MY_HF", "hf_from_env")).config();
        assertEquals("hf_from_env", c.huggingFace().token());
        assertEquals(URI.create("https://hf-mirror.example"), c.huggingFace().endpoint());
        assertEquals(List.of("hf_from_env"), c.secrets());
        assertEquals("hf_wins", load("{\"hf_token\": \"x\"}", Map.of("HF_TOKEN", "hf_wins"))
                .config().huggingFace().token());
        Config none = load("{\"hf_token\": \"${UNSET_HF}\"}", Map.of()).config();
        assertNull(none.huggingFace().token());
        assertEquals(URI.create("https://huggingface.co"), none.huggingFace().endpoint());
    }

    @Test
    void webhookUrl_takesAStringOrAList() throws Exception {
        assertEquals(List.of(URI.create("http://127.0.0.1:9/a")),
                load("{\"webhook_url\": \"http://127.0.0.1:9/a\"}").webhookUrls());
        assertEquals(2, load("{\"webhook_url\": [\"http://a.example/x\", \"https://b.example/y\"]}")
                .webhookUrls().size());
    }

    @Test
    void unknownKeys_areWarnedAbout() throws Exception {
        var loaded = load("{\"wokers\": 3}", Map.of());
        assertEquals(1, loaded.warnings().size());
        assertTrue(loaded.warnings().get(0).contains("unknown key \"wokers\""));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "{\"workers\": 0}                | config key \"workers\" is 0; expected a whole"
                + " number from 1 to 64",
        "{\"retries\": \"3\"}            | config key \"retries\" is \"3\"; expected a whole"
        + " number from 0 to 100", "{\"throttle\": -1}              | config key \"throttle\" is"
        + " -1; expected a number of seconds from 0 to 86400",
        "{\"active_port\": 70000}        | config key \"active_port\" is 70000; expected a whole"
        + " number from 0 to 65535", "{\"manifest_mode\": \"merge\"}  | config key"
        + " \"manifest_mode\" is \"merge\"; expected one of [replace, append]",
        "{\"civitai_url\": \"ftp://x\"}  | config key \"civitai_url\" is \"ftp://x\";"
        + " expected an absolute http:// or https:// URL",
        "{\"webhook_url\": 5}            | config key \"webhook_url\" is 5; expected a URL,"
        + " a list of URLs, or null", "{\"download_dir\": \"\"}        | config key"
        + " \"download_dir\" is \"\"; expected a non-empty string",
        "{\"stall_timeout\": 0}          | config key \"stall_timeout\" is 0; expected a number of"
        + " seconds from 0.01 to 86400",
        "[]                              | must hold a JSON object",
        "{\"layout\": \"invokeai\"}   | config key \"layout\" is \"invokeai\"; expected one of"
        + " [flat, comfyui, a1111]", "{\"layout\": \"FLAT\"}       | config key \"layout\" is"
        + " \"FLAT\"; expected one of [flat, comfyui, a1111]",
        "{\"layout\": \"\"}           | config key \"layout\" is \"\"; expected a non-empty string",
        "{\"layout\": 1}              | config key \"layout\" is 1; expected a string",
        "{\"existing_files\": \"move\"} | config key \"existing_files\" is \"move\"; expected one"
        + " of [keep, backup, replace]",
        "{\"library_reuse\": \"symlink\"} | config key \"library_reuse\" is \"symlink\";"
        + " expected one of [link, copy, off]",
        "{\"file_preferences\": [\"fp16\"]} | config key \"file_preferences\" is [\"fp16\"];"
        + " expected an object with any of",
        "{\"file_preferences\": {\"fp\": 16}} | config key \"file_preferences\" has fp: 16;"
        + " expected an object with any of",
        "{\"file_preferences\": {\"quant\": \"q8\"}} | config key \"file_preferences\""
        + " has quant: \"q8\"", "{\"update_interval_hours\": -1} | config key"
        + " \"update_interval_hours\" is -1; expected a number from 0 to 8760",
        "{\"bind_address\": \"0.0.0.0\"} | \"jwt_secret\" is not set",
        "{\"connections_per_download\": 17} | config key \"connections_per_download\" is 17;"
        + " expected a whole number from 1 to 16",
        "{\"min_segment_size\": 1000}   | config key \"min_segment_size\" is 1000; expected a whole"
        + " number from 65536", "{\"max_connections_per_host\": 0} | config key"
        + " \"max_connections_per_host\" is 0; expected a whole number from 1 to 64",
        "{\"max_file_size\": 1000}      | config key \"max_file_size\" is 1000; expected a whole"
        + " number from 1048576", "{\"health_port\": 70000}        | config key \"health_port\" is"
        + " 70000; expected a whole number from 0 to 65535",
        "{\"active_port\": 8123, \"health_port\": 8123} | config key \"health_port\" is 8123,"
        + " the same as active_port",
    })
    void badValues_nameTheKeyTheValueAndWhatIsExpected(String json, String message) {
        var e = assertThrows(ConfigException.class, () -> load(json));
        assertTrue(e.getMessage().contains(message), e.getMessage());
    }

    @Test
    void syntaxErrors_nameLineAndColumn() {
        var e = assertThrows(ConfigException.class,
                () -> load("{\n  \"workers\": 2,\n  \"retries\": ,\n}"));
        assertTrue(e.getMessage().contains("line 3, column 14"), e.getMessage());
    }

    @Test
    void missingFile_isAClearError() {
        var e = assertThrows(ConfigException.class,
                () -> new ConfigLoader(Map.of()).load(dir.resolve("nope.json")));
        assertTrue(e.getMessage().startsWith("cannot read config file"), e.getMessage());
    }

    @Test
    void portWriteBack_changesOnlyThePort_evenWithoutANullToReplace() throws IOException {
        Path file = dir.resolve("config.json");
        Files.writeString(file, "{\"workers\": 1, \"throttle\": 2.50}");
        PortClaim.writeBack(file, 8150);
        assertEquals("{\"workers\":1,\"throttle\":2.50,\"active_port\":8150}",
                Files.readString(file).replaceAll("\\s", ""));
    }

    @Test
    void aRandomPort_isNeverTheHealthPort() throws Exception {
        Config c = load("{\"active_port\": null, \"health_port\": 8150}");
        // only the health port is free: taking it would write it back as active_port, and every
        // later start would fail
        var e = assertThrows(ConfigException.class,
                () -> new PortClaim(new Random(1)).claim(c, port -> port == 8150));
        assertTrue(e.getMessage().startsWith("no free port in 8100-8200"), e.getMessage());
    }

    // notifications, proxy, no_proxy, trusted_proxies

    @Test
    void notifications_takeEachType_withDefaultEventsAndNames_andSecretsFromTheEnvironment()
            throws Exception {
        Config c = load("""
                {"webhook_url": "http://127.0.0.1:9/legacy", "webhook_secret": "legacy-secret",
                 "notifications": [
                  {"type": "telegram", "bot_token": "${TG_TOKEN}", "chat_id": -1001},
                  {"type": "ntfy", "url": "https://ntfy.sh/topic", "token": "tk_abcdef", "events": ["download_failed"]},
                  {"type": "discord", "webhook_url": "https://discord.com/api/webhooks/1/disc-token", "name": "team"},
                  {"type": "webhook", "url": "https://hooks.example/x", "api_url": "http://127.0.0.1:5"}]}""",
                Map.of("TG_TOKEN", "1:tg-token")).config();
        List<Notification> n = c.notifications();
        assertEquals(List.of("webhook", "telegram", "ntfy", "team", "webhook-2"),
                n.stream().map(Notification::name).toList());
        assertEquals(Notification.EVENTS, n.get(0).events(),
                "the top-level webhook_url keeps every event");
        assertEquals("legacy-secret", n.get(0).secret());
        assertEquals("1:tg-token", n.get(1).botToken());
        assertEquals("-1001", n.get(1).chatId());
        assertEquals(Notification.DEFAULT_EVENTS, n.get(1).events());
        assertEquals(List.of("download_failed"), n.get(2).events());
        assertEquals(URI.create("http://127.0.0.1:5"), n.get(4).apiUrl());
        assertTrue(c.secrets().containsAll(List.of("1:tg-token", "tk_abcdef", "disc-token",
                "legacy-secret")));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "[{\"type\": \"slack\"}]                            | \"type\" is \"slack\"; expected one"
                + " of [telegram, ntfy, discord, webhook]",
        "[{\"type\": \"telegram\", \"chat_id\": \"1\"}]   | notifications #1:"
        + " \"bot_token\" is required",
        "[{\"type\": \"ntfy\", \"url\": \"${NOPE}\"}]     | names the environment variable NOPE,"
        + " which is not set",
        "[{\"type\": \"ntfy\", \"url\": \"ftp://x/t\"}]   | expected an absolute http://"
        + " or https:// URL",
        "[{\"type\": \"ntfy\", \"url\": \"http://x/t\", \"events\": [\"job.done\"]}] | \"events\""
        + " is [\"job.done\"]; expected a non-empty list",
        "[{\"type\": \"discord\", \"url\": \"http://x/t\"}] | unknown key \"url\"",
        "[{\"type\": \"ntfy\", \"url\": \"http://x/t\", \"name\": \"a\"}, {\"type\": \"ntfy\","
        + " \"url\": \"http://x/u\", \"name\": \"a\"}] | must be unique",
        "{\"type\": \"ntfy\"}                               | expected a list of targets",
    })
    void badNotifications_sayWhichTargetAndWhy(String list, String message) {
        var e = assertThrows(ConfigException.class,
                () -> load("{\"notifications\": " + list + "}"));
        assertTrue(e.getMessage().contains(message), e.getMessage());
    }

    @Test
    void proxy_fromConfig_withDefaultNoProxy_orAnExplicitEmptyList() throws Exception {
        ProxySettings p = load("{\"proxy\": \"http://u:pw-secret@127.0.0.1:3128\"}")
                .outboundProxy();
        assertEquals(URI.create("http://u:pw-secret@127.0.0.1:3128"), p.https());
        assertEquals(List.of("localhost", "127.0.0.1", "::1"), p.noProxy());
        assertEquals(List.of("pw-secret"), p.secrets());
        assertEquals(List.of(), load("{\"proxy\": \"http://127.0.0.1:3128\", \"no_proxy\": []}")
                .outboundProxy().noProxy());
        var e = assertThrows(ConfigException.class,
                () -> load("{\"proxy\": \"socks5://u:pw@h:1\"}"));
        assertTrue(e.getMessage().contains("expected http://") && !e.getMessage().contains("pw"),
                e.getMessage());
    }

    @Test
    void proxy_fromTheEnvironment_asCurlReadsIt() throws Exception {
        ProxySettings p = load("{}", Map.of("HTTPS_PROXY", "proxy.corp:8080", "http_proxy",
                "http://plain:3128",
                "HTTP_PROXY", "http://ignored:1", "NO_PROXY", "internal.corp, .lan")).config()
                        .outboundProxy();
        assertEquals(URI.create("http://proxy.corp:8080"), p.https());
        assertEquals(URI.create("http://plain:3128"), p.http());
        assertEquals(List.of("internal.corp", ".lan"), p.noProxy());
        assertEquals("environment", p.source());
        assertEquals(ProxySettings.NONE.noProxy(), load("{}").outboundProxy().noProxy());
        assertEquals(null, load("{}").outboundProxy().https());
    }

    @Test
    void trustedProxies_takeAddressesAndRanges_andRefuseNames() throws Exception {
        List<AddressRange> trusted =
                load("{\"trusted_proxies\": [\"127.0.0.1\", \"10.0.0.0/8\", \"::1\"]}")
                        .trustedProxies();
        assertEquals(3, trusted.size());
        assertTrue(trusted.get(0).contains(InetAddress.getByName("127.0.0.1")));
        assertFalse(trusted.get(0).contains(InetAddress.getByName("127.0.0.2")));
        assertTrue(trusted.get(1).contains(InetAddress.getByName("10.9.8.7")));
        assertTrue(trusted.get(2).contains(InetAddress.getByName("::1")));
        assertEquals(List.of(), load("{}").trustedProxies());
        var e = assertThrows(ConfigException.class,
                () -> load("{\"trusted_proxies\": [\"proxy.lan\"]}"));
        assertTrue(e.getMessage().contains("not an IP address or CIDR range"), e.getMessage());
        assertTrue(AddressRange.parse("10.0.0.0/8").contains(InetAddress.getByName("10.2.3.4")));
        assertTrue(AddressRange.parse("127.0.0.1")
                .contains(InetAddress.getByName("::ffff:127.0.0.1")));
        assertFalse(AddressRange.parse("10.0.0.0/8").contains(InetAddress.getByName("11.0.0.1")));
    }

    @Test
    void libraryRoots_areFoldersResolvedAgainstTheConfigsFolder() throws Exception {
        assertEquals(List.of(), load("{}").libraryRoots());
        Config c = load("{\"library_roots\": [\"comfy/models\", \"/opt/a1111/models/\"]}");
        assertEquals(List.of(dir.resolve("comfy/models").toAbsolutePath(),
                Path.of("/opt/a1111/models")), c.libraryRoots());
        for (String bad : new String[] {"\"/opt/x\"", "[1]", "[\"\"]"}) {
            ConfigException e = assertThrows(ConfigException.class,
                    () -> load("{\"library_roots\": " + bad + "}"));
            assertTrue(e.getMessage().contains("library_roots"), e.getMessage());
        }
    }
}
