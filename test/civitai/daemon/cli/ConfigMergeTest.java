package civitai.daemon.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import civitai.daemon.Main;
import civitai.daemon.cli.session.Locator;
import com.eclipsesource.json.Json;
import com.eclipsesource.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The installer's config upgrade: new keys get their defaults, the user's values stay. */
class ConfigMergeTest {
    @TempDir Path dir;

    private int merge(String... args) {
        return Main.run(args, Map.of(),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
    }

    @Test
    void newKeysAreAdded_userValuesKept_andSetValuesWin() throws IOException {
        Path defaults = dir.resolve("defaults.json");
        Path config = dir.resolve("config.json");
        Files.writeString(defaults, "{\"workers\": 2, \"layout\": \"flat\", \"new_key\": true,"
                + " \"download_dir\": \"data/models\"}");
        Files.writeString(config, "{\"workers\": 5, \"active_port\": 8150,"
                + " \"download_dir\": \"x\"}");
        assertEquals(0, merge("config-merge", "--defaults", defaults.toString(), "--set",
                "layout=comfyui", config.toString()));
        JsonObject merged = Json.parse(Files.readString(config)).asObject();
        assertEquals(5, merged.getInt("workers", 0));
        assertEquals(8150, merged.getInt("active_port", 0));
        assertEquals("x", merged.getString("download_dir", ""));
        assertTrue(merged.getBoolean("new_key", false));
        assertEquals("comfyui", merged.getString("layout", ""));
    }

    @Test
    void aMissingConfig_isCreatedFromTheDefaults_andAnUpToDateOneIsNotRewritten()
            throws IOException {
        Path defaults = dir.resolve("defaults.json");
        Path config = dir.resolve("config.json");
        Files.writeString(defaults, "{\"workers\": 2}");
        assertEquals(0, merge("config-merge", "--defaults", defaults.toString(),
                config.toString()));
        assertEquals(2, Json.parse(Files.readString(config)).asObject().getInt("workers", 0));
        Files.writeString(config, "{ \"workers\":   3 }");
        assertEquals(0, merge("config-merge", "--defaults", defaults.toString(),
                config.toString()));
        assertEquals("{ \"workers\":   3 }", Files.readString(config),
                "untouched when nothing is new");
    }

    @Test
    void secretsMoveToTheSecretsFile_whichKeepsItsOwnValues() throws IOException {
        Path defaults = dir.resolve("defaults.json");
        Path config = dir.resolve("config.json");
        Path secrets = dir.resolve("secrets.env");
        Files.writeString(defaults, "{\"civitai_api_key\": \"\", \"jwt_secret\": \"\"}");
        Files.writeString(config, "{\"civitai_api_key\": \"key-from-config\", \"jwt_secret\":"
                + " \"jwt from config\", \"webhook_secret\": \"hook-from-config\"}");
        Files.writeString(secrets, "# mine\nCIVITAI_API_KEY=key-from-env\n"
                + "CIVITAI_DAEMON_WEBHOOK_SECRET=\n");
        assertEquals(0, merge("config-merge", "--defaults", defaults.toString(), "--secrets-file",
                secrets.toString(), config.toString()));
        JsonObject merged = Json.parse(Files.readString(config)).asObject();
        for (String key : new String[] {"civitai_api_key", "jwt_secret", "webhook_secret"}) {
            assertEquals("", merged.getString(key, null), key + " is blanked in config.json");
        }
        assertEquals("# mine\nCIVITAI_API_KEY=key-from-env\n"
                + "CIVITAI_DAEMON_WEBHOOK_SECRET=hook-from-config\n"
                + "CIVITAI_DAEMON_JWT_SECRET=\"jwt from config\"\n", Files.readString(secrets),
                "the file's own value wins; an empty one and a missing one are filled");
        assertEquals("jwt from config", new Locator(Map.of(), dir).secret(config),
                "the client reads it back");
    }

    @Test
    void aBrokenConfig_isAnError_andLeftAsItWas() throws IOException {
        Path defaults = dir.resolve("defaults.json");
        Path config = dir.resolve("config.json");
        Files.writeString(defaults, "{\"workers\": 2}");
        Files.writeString(config, "{\"workers\": ");
        assertEquals(1, merge("config-merge", "--defaults", defaults.toString(),
                config.toString()));
        assertEquals("{\"workers\": ", Files.readString(config));
        assertEquals(2, merge("config-merge", config.toString()));
    }
}
