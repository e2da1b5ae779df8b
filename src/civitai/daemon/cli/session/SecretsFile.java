package civitai.daemon.cli.session;

import civitai.daemon.config.AtomicWrite;
import com.eclipsesource.json.JsonObject;
import com.eclipsesource.json.JsonValue;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The service's {@code secrets.env} (a systemd EnvironmentFile, mode 0600): the installer moves
 * secrets found in config.json there, so config.json can be read by more people than the secrets.
 * The daemon reads them back from the environment, where they override config.json.
 */
public final class SecretsFile {
    /** config.json key → the environment variable the daemon reads it from. */
    public static final Map<String, String> VARIABLES = orderedVariables();

    private SecretsFile() {}

    private static Map<String, String> orderedVariables() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("civitai_api_key", "CIVITAI_API_KEY");
        m.put("jwt_secret", Locator.SECRET_ENV);
        m.put("webhook_secret", "CIVITAI_DAEMON_WEBHOOK_SECRET");
        m.put("hf_token", "HF_TOKEN");
        return m;
    }

    /**
     * Moves each non-blank secret of {@code config} into {@code envFile} (unless the file already
     * has a value for it, which wins, as it would in the daemon) and blanks it in {@code config}.
     * The file is written before the caller writes the config, so a secret is never lost.
     *
     * @return the config keys that were blanked
     */
    public static List<String> moveOut(JsonObject config, Path envFile) throws IOException {
        List<String> lines = Files.exists(envFile)
                ? new ArrayList<>(Files.readAllLines(envFile, StandardCharsets.UTF_8))
                : new ArrayList<>();
        List<String> moved = new ArrayList<>();
        boolean fileChanged = false;
        for (Map.Entry<String, String> e : VARIABLES.entrySet()) {
            JsonValue v = config.get(e.getKey());
            if (v == null || !v.isString() || v.asString().isBlank()) {
                continue;
            }
            int at = indexOf(lines, e.getValue());
            if (at < 0) {
                lines.add(e.getValue() + "=" + quote(v.asString().strip()));
                fileChanged = true;
            } else if (lines.get(at).length() == e.getValue().length() + 1) {  // VAR= with no value
                lines.set(at, e.getValue() + "=" + quote(v.asString().strip()));
                fileChanged = true;
            }
            config.set(e.getKey(), "");
            moved.add(e.getKey());
        }
        if (fileChanged) {
            AtomicWrite.replace(envFile, String.join("\n", lines) + "\n");  // a new file is 0600
        }
        return moved;
    }

    private static int indexOf(List<String> lines, String variable) {
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith(variable + "=")) {
                return i;
            }
        }
        return -1;
    }

    /** systemd's EnvironmentFile syntax: plain when safe, else double-quoted with escapes. */
    public static String quote(String value) {
        if (value.matches("[A-Za-z0-9._~+/=:@%-]*")) {
            return value;
        }
        return "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"").replace("$", "\\$") + "\"";
    }
}
