package civitai.daemon;

import civitai.daemon.cli.Cli;
import civitai.daemon.config.ConfigException;
import civitai.daemon.config.ConfigLoader;
import civitai.daemon.net.OutboundProxy;
import civitai.daemon.store.StoreException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * {@code civitai-daemon [COMMAND] [OPTIONS]}: a small dispatcher. {@code serve} (the default, also
 * when the first argument is an option such as {@code --config}) runs the {@link Daemon}; the
 * other commands are the command-line client in {@link Cli}. {@link #run} returns the exit code
 * rather than exiting, as the JDK's own jwebserver entry point does, so every command runs
 * in-process in tests.
 * <p>
 * {@code serve} exits with sysexits codes: 64 usage, 70 internal, 78 configuration (a bad value,
 * and a port that is taken, since the port is a config key); SIGTERM stops it cleanly with 0.
 * The client's codes are 0 ok, 1 the daemon answered with an error, 2 usage, 3 unreachable.
 */
public final class Main {
    static final int USAGE = 64;
    static final int INTERNAL = 70;
    static final int CONFIG = 78;

    private Main() {}

    public static void main(String[] args) {
        int code = run(args, System.getenv(), System.out, System.err);
        System.out.flush();
        System.exit(code);
    }

    /** Runs one command; for {@code serve}, returns only when the daemon could not start. */
    public static int run(String[] args, Map<String, String> env, PrintStream out,
            PrintStream err) {
        List<String> words = Arrays.asList(args);
        String command = words.isEmpty() || words.get(0).startsWith("-") ? "serve" : words.get(0);
        List<String> rest = words.isEmpty() || words.get(0).startsWith("-") ? words
                : words.subList(1, words.size());
        return switch (command) {
            case "serve" -> serve(rest, env, out, err);
            case "version" -> {
                out.println("civitai-daemon " + Version.current());
                yield 0;
            }
            case "help" -> {
                out.print(Cli.HELP);
                yield 0;
            }
            default -> Cli.run(command, rest, env, out, err);
        };
    }

    private static int serve(List<String> args, Map<String, String> env, PrintStream out,
            PrintStream err) {
        Path configFile = Path.of("config.json");
        for (int i = 0; i < args.size(); i++) {
            switch (args.get(i)) {
                case "--config", "-c" -> {
                    if (i + 1 >= args.size()) {
                        return usage(err, "--config needs a file");
                    }
                    configFile = Path.of(args.get(++i));
                }
                case "--version" -> {
                    out.println("civitai-daemon " + Version.current());
                    return 0;
                }
                case "--help", "-h" -> {
                    out.print(Cli.HELP);
                    return 0;
                }
                default -> {
                    return usage(err, "unknown argument: " + args.get(i));
                }
            }
        }
        return serve(configFile, env, out, err);
    }

    private static int serve(Path configFile, Map<String, String> env, PrintStream out,
            PrintStream err) {
        tuneHttpClient();
        Daemon daemon;
        try {
            var loaded = new ConfigLoader(env).load(configFile);
            daemon = Daemon.start(loaded.config(), loaded.warnings(), out);
        } catch (ConfigException e) {
            err.println("civitai-daemon: " + e.getMessage());
            return CONFIG;
        } catch (Exception e) {
            err.println("civitai-daemon: cannot start: "
                    + (e instanceof StoreException ? e.getMessage() : e.toString()));
            return INTERNAL;
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
        return 0;
    }

    /**
     * Lets an outbound proxy's Basic auth through CONNECT tunnels (see OutboundProxy). Must run
     * before the first HttpClient exists; the client's buffer size is set by Daemon, which knows
     * how many connections the config allows.
     */
    static void tuneHttpClient() {
        OutboundProxy.allowBasicAuthForTunnels();
    }

    private static int usage(PrintStream err, String problem) {
        err.println("civitai-daemon: " + problem + "\n" + Cli.HELP);
        return USAGE;
    }
}
