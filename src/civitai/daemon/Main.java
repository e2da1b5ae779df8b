package civitai.daemon;

import civitai.daemon.cli.TokenCommand;
import civitai.daemon.config.ConfigException;
import civitai.daemon.config.ConfigLoader;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * {@code java -jar civitai-daemon.jar [--config FILE]}: arguments → config → {@link Daemon}.
 * Exit codes follow sysexits: 64 usage, 69 port unavailable, 70 internal, 78 configuration.
 * SIGTERM stops the daemon cleanly with exit code 0.
 */
public final class Main {
    static final int USAGE = 64;
    static final int INTERNAL = 70;
    static final int CONFIG = 78;

    private Main() {}

    public static void main(String[] args) {
        tuneHttpClient();
        Path configFile = Path.of("config.json");
        List<String> rest = Arrays.asList(args);
        if (!rest.isEmpty() && rest.get(0).equals("token")) {
            token(rest.subList(1, rest.size()));
            return;
        }
        for (int i = 0; i < rest.size(); i++) {
            switch (rest.get(i)) {
                case "--config", "-c" -> {
                    if (i + 1 >= rest.size()) {
                        usage("--config needs a file");
                    }
                    configFile = Path.of(rest.get(++i));
                }
                case "--version" -> {
                    System.out.println("civitai-daemon " + Version.current());
                    return;
                }
                case "--help", "-h" -> {
                    System.out.println(USAGE_TEXT);
                    return;
                }
                default -> usage("unknown argument: " + rest.get(i));
            }
        }
        run(configFile);
    }

    private static void run(Path configFile) {
        Daemon daemon;
        try {
            var loaded = new ConfigLoader(System.getenv()).load(configFile);
            daemon = Daemon.start(loaded.config(), loaded.warnings(), System.out);
        } catch (ConfigException e) {
            System.err.println("civitai-daemon: " + e.getMessage());
            System.exit(CONFIG);
            return;
        } catch (Exception e) {
            System.err.println("civitai-daemon: cannot start: "
                    + (e instanceof civitai.daemon.store.StoreException ? e.getMessage() : e.toString()));
            System.exit(INTERNAL);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            daemon.close();
            Runtime.getRuntime().halt(0);  // a clean stop on SIGTERM exits 0, not 143
        }, "shutdown"));
        try {
            Daemon.awaitForever();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * HttpClient reads the socket in 16 KiB buffers by default; for multi-gigabyte bodies 256 KiB
     * halves the time per byte (measured in bench/). Must run before the first HttpClient exists.
     */
    static void tuneHttpClient() {
        if (System.getProperty("jdk.httpclient.bufsize") == null) {
            System.setProperty("jdk.httpclient.bufsize", Integer.toString(256 * 1024));
        }
    }

    private static void token(List<String> args) {
        try {
            TokenCommand.run(args, System.getenv(), System.out);
        } catch (TokenCommand.UsageException e) {
            usage(e.getMessage());
        } catch (ConfigException e) {
            System.err.println("civitai-daemon: " + e.getMessage());
            System.exit(CONFIG);
        }
    }

    private static void usage(String problem) {
        System.err.println("civitai-daemon: " + problem + "\n" + USAGE_TEXT);
        System.exit(USAGE);
    }

    private static final String USAGE_TEXT = """
            usage: java -jar civitai-daemon.jar [--config FILE]
                   java -jar civitai-daemon.jar token --role admin|viewer [--ttl 30d] [--config FILE]
              --config FILE   the config file (default: ./config.json); relative paths in it
                              resolve against its folder
              --version       print the version
              token           print an API token signed with the config's jwt_secret
            """;
}
