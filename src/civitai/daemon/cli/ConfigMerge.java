package civitai.daemon.cli;

import civitai.daemon.cli.session.ExitCode;
import civitai.daemon.cli.session.Failure;
import civitai.daemon.cli.session.SecretsFile;
import civitai.daemon.cli.session.Session;
import civitai.daemon.config.AtomicWrite;
import com.eclipsesource.json.Json;
import com.eclipsesource.json.JsonObject;
import com.eclipsesource.json.JsonValue;
import com.eclipsesource.json.ParseException;
import com.eclipsesource.json.WriterConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code config-merge --defaults NEW.json [--set key=value ...] [--secrets-file ENV] CONFIG}: the
 * installer's upgrade of a config file (a server may have neither jq nor python). Keys the new
 * version ships are added with their defaults; every value the user set stays; {@code --set}
 * values (the installer's options) win; with {@code --secrets-file}, secrets found in the config
 * move to that EnvironmentFile. A missing CONFIG is created from the defaults. The file is
 * rewritten atomically, and only when something changed. Prints what it did.
 */
final class ConfigMerge {
    private final Session session;

    ConfigMerge(Session session) {
        this.session = session;
    }

    int run(List<String> words) throws Failure {
        Path defaults = null;
        Path config = null;
        Path secrets = null;
        List<String[]> sets = new ArrayList<>();
        for (int i = 0; i < words.size(); i++) {
            String w = words.get(i);
            if (w.startsWith("--") && i + 1 >= words.size()) {
                throw Failure.usage(w + " needs a value");
            }
            switch (w) {
                case "--defaults" -> defaults = session.workingDir().resolve(words.get(++i));
                case "--set" -> sets.add(keyValue(words.get(++i)));
                case "--secrets-file" -> secrets = session.workingDir().resolve(words.get(++i));
                default -> {
                    if (w.startsWith("-") || config != null) {
                        throw Failure.usage("config-merge: unexpected argument " + w);
                    }
                    config = session.workingDir().resolve(w);
                }
            }
        }
        if (defaults == null || config == null) {
            throw Failure.usage("usage: config-merge --defaults NEW.json [--set key=value ...]"
                    + " [--secrets-file ENV] CONFIG");
        }
        return merge(read(defaults), config, sets, secrets);
    }

    private int merge(JsonObject defaults, Path config, List<String[]> sets, Path secrets)
            throws Failure {
        boolean exists = Files.exists(config);
        JsonObject merged = exists ? read(config) : new JsonObject();
        List<String> added = new ArrayList<>();
        for (JsonObject.Member m : defaults) {
            if (merged.get(m.getName()) == null) {
                merged.add(m.getName(), m.getValue());
                added.add(m.getName());
            }
        }
        List<String> changed = new ArrayList<>();
        for (String[] kv : sets) {
            JsonValue old = merged.get(kv[0]);
            if (old == null || !old.isString() || !old.asString().equals(kv[1])) {
                merged.set(kv[0], kv[1]);
                changed.add(kv[0]);
            }
        }
        List<String> moved = new ArrayList<>();
        if (secrets != null) {
            try {
                moved = SecretsFile.moveOut(merged, secrets);
            } catch (IOException e) {
                throw Failure.error("cannot write " + secrets + ": " + e.getMessage());
            }
        }
        if (exists && added.isEmpty() && changed.isEmpty() && moved.isEmpty()) {
            session.out().println(config + ": up to date");
            return ExitCode.OK;
        }
        try {
            AtomicWrite.replace(config, merged.toString(WriterConfig.PRETTY_PRINT) + "\n");
        } catch (IOException e) {
            throw Failure.error("cannot write " + config + ": " + e.getMessage());
        }
        session.out().println(config + ": " + (exists ? "" : "created; ")
                + (exists && !added.isEmpty() ? "new keys with their defaults: "
                        + String.join(", ", added) + "; " : "")
                + (changed.isEmpty() ? "" : "set: " + String.join(", ", changed) + "; ")
                + (moved.isEmpty() ? "" : "moved to " + secrets.getFileName() + ": "
                        + String.join(", ", moved) + "; ")
                + "your values kept");
        return ExitCode.OK;
    }

    private static String[] keyValue(String text) throws Failure {
        int eq = text.indexOf('=');
        if (eq <= 0) {
            throw Failure.usage("--set takes key=value, not " + text);
        }
        return new String[] {text.substring(0, eq), text.substring(eq + 1)};
    }

    private static JsonObject read(Path file) throws Failure {
        try {
            JsonValue v = Json.parse(Files.readString(file, StandardCharsets.UTF_8));
            if (v.isObject()) {
                return v.asObject();
            }
            throw Failure.error(file + " must hold a JSON object {...}");
        } catch (IOException e) {
            throw Failure.error("cannot read " + file + ": " + e.getMessage());
        } catch (ParseException e) {
            throw Failure.error(file + " is not valid JSON (" + e.getMessage()
                    + "): fix it, then run the installer again");
        }
    }
}
