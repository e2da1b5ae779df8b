package civitai.daemon.config;

import com.eclipsesource.json.Json;
import com.eclipsesource.json.JsonObject;
import com.eclipsesource.json.WriterConfig;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Chooses the port: the configured {@code active_port}, or a random free one in 8100–8200 that is
 * then written back into config.json. Binding is the claim (the OS grants a port once), and a lock
 * file serialises the read-choose-write so two daemons started together on one config agree.
 */
public final class PortClaim {
    public static final int FIRST = 8100;
    public static final int LAST = 8200;
    private static final Pattern NULL_PORT = Pattern.compile("(\"active_port\"\\s*:\\s*)null");

    /** Tries to listen on a port; false when it is taken. */
    @FunctionalInterface
    public interface Binder {
        boolean tryBind(int port) throws IOException;
    }

    private final Random random;

    public PortClaim(Random random) {
        this.random = random;
    }

    /** Binds a port through {@code binder} and returns it. */
    public int claim(Config config, Binder binder) throws ConfigException, IOException {
        if (config.activePort() != null) {
            return bindConfigured(config, config.activePort(), binder);
        }
        Path lockFile = config.configFile()
                .resolveSibling("." + config.configFile().getFileName() + ".lock");
        // a FileLock excludes other processes, not this one's threads
        synchronized (PortClaim.class) {
            return claimLocked(config, lockFile, binder);
        }
    }

    @SuppressWarnings("try")  // the lock is held for the block's duration, never referenced
    private int claimLocked(Config config, Path lockFile, Binder binder)
            throws ConfigException, IOException {
        try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE,
                StandardOpenOption.WRITE);
                FileLock lock = channel.lock()) {
            Integer written = readActivePort(config.configFile());
            if (written != null) {  // another daemon chose while we waited for the lock
                return bindConfigured(config, written, binder);
            }
            int port = bindRandom(binder, config.healthPort());
            writeBack(config.configFile(), port);
            return port;
        }
    }

    private static int bindConfigured(Config config, int port, Binder binder)
            throws ConfigException, IOException {
        if (!binder.tryBind(port)) {
            throw new ConfigException("port " + port + " (config key \"active_port\") is already in"
                    + " use on " + config.bindAddress() + ": stop whatever listens there, or set"
                    + " \"active_port\": null to pick a free port in " + FIRST + "-" + LAST);
        }
        return port;
    }

    /** A random free port of the range, never {@code healthPort} (the health listener's own). */
    private int bindRandom(Binder binder, int healthPort) throws ConfigException, IOException {
        List<Integer> ports = new ArrayList<>();
        for (int p = FIRST; p <= LAST; p++) {
            if (p != healthPort) {
                ports.add(p);
            }
        }
        Collections.shuffle(ports, random);
        for (int port : ports) {
            if (binder.tryBind(port)) {
                return port;
            }
        }
        throw new ConfigException("no free port in " + FIRST + "-" + LAST
                + "; set \"active_port\"");
    }

    private static Integer readActivePort(Path file) throws IOException {
        var value = Json.parse(Files.readString(file, StandardCharsets.UTF_8)).asObject()
                .get("active_port");
        return value == null || value.isNull() ? null : value.asInt();
    }

    /** Edits only the port in place so the user's layout survives; rewrites the JSON otherwise. */
    static void writeBack(Path file, int port) throws IOException {
        String text = Files.readString(file, StandardCharsets.UTF_8);
        JsonObject wanted = Json.parse(text).asObject().set("active_port", port);
        Matcher m = NULL_PORT.matcher(text);
        String edited = m.find() ? m.replaceFirst("$1" + port) : null;
        if (edited == null || !Json.parse(edited).equals(wanted)) {
            edited = wanted.toString(WriterConfig.PRETTY_PRINT) + "\n";
        }
        AtomicWrite.replace(file, edited);
    }
}
