package civitai.daemon.cli;

import civitai.daemon.cli.session.Args;
import civitai.daemon.cli.session.ExitCode;
import civitai.daemon.cli.session.Failure;
import civitai.daemon.cli.session.Session;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The command-line client: each command is one call to the daemon's REST API, printed as an
 * aligned table (or, with {@code --json}, the API's JSON as it came). Exit codes: 0 ok, 1 the
 * daemon answered with an error (its message printed), 2 usage, 3 the daemon cannot be reached
 * (saying where it looked); {@code workflow} adds 4 (a model not found or needing a choice) and 5
 * (a download it queued failed). {@code Main} dispatches here for every command but {@code serve}.
 * <pre>
 *   civitai-daemon status --watch
 *   civitai-daemon add https://civitai.com/models/4201 --priority 5
 *   civitai-daemon list --state failed --json | jq '.jobs[].id'
 * </pre>
 */
public final class Cli {

    public static final String HELP = """
            usage: civitai-daemon [serve] [--config FILE]     run the daemon (the default command)
                   civitai-daemon COMMAND [OPTIONS]           talk to a running daemon

            commands:
              status [--watch]                 version, job counts, active downloads (--watch: live)
              list [--state S] [--limit N]     jobs; S is queued, downloading, verifying, completed,
                                               failed, cancelled or paused
              add REF [--type T] [--priority N]
                                               queue a download: REF is a Civitai link, an AIR
                                               (urn:air:...), a model id, or a URL (then --type)
              batch MANIFEST.json              queue every entry of a manifest file
              workflow FILE [--yes]            the models a ComfyUI workflow (JSON or PNG) or A1111
                                               parameters text (FILE -: standard input) needs, planned
                                               against the library; --yes queues what is missing and
                                               follows it to the end
              pause|resume|cancel|retry ID     control one job
              remove ID [--delete-file]        forget a job (and delete its file)
              completed [--type T] [--limit N] finished downloads
              metrics                          totals, speeds, failures by reason
              updates                          the last update check
              check-updates                    start an update check now
              scan [--root DIR] [--watch]      index the library's files (download_dir, library_roots);
                                               --watch shows its progress to the end
              library [--type T] [--root DIR] [--sort name|size|date] [--q TEXT] [--unidentified]
                                               the indexed model files and what Civitai knows of them
              dupes                            files with the same SHA-256, and the space they waste
              adopt [PATH...] [--update notify|auto|pin]
                                               identified files (all, or these) into manifest.json,
                                               tracked for updates, never downloaded again
              token --role admin|viewer [--ttl 30d]
                                               print an API token signed with jwt_secret
              version, help

            options for every command:
              --config FILE   the daemon's config.json (default: ./config.json, then the installed
                              data folder's: $CIVITAI_DAEMON_DATA_DIR, /var/lib/civitai-daemon,
                              ~/.local/share/civitai-daemon); its port and jwt_secret are used
              --url URL       the daemon's address instead ($CIVITAI_DAEMON_URL)
              --token TOKEN   an API token ($CIVITAI_DAEMON_TOKEN); without one, a short-lived admin
                              token is made from a readable jwt_secret
              --json          print the API's JSON answer

            exit codes: 0 ok, 1 the daemon answered with an error, 2 usage, 3 daemon unreachable,
            4 (workflow) a model not found or needing a choice, 5 (workflow --yes) a download failed;
            serve: 64 usage, 70 internal error, 78 configuration (including a port in use)
            """;

    private Cli() {}

    /** Runs one client command; never throws for a user's mistake or a daemon's answer. */
    public static int run(String command, List<String> args, Map<String, String> env,
            PrintStream out, PrintStream err) {
        return run(command, args, env, System.in, out, err);
    }

    /** The same, reading standard input from {@code in} (tests pipe text in here). */
    public static int run(String command, List<String> args, Map<String, String> env,
            InputStream in, PrintStream out, PrintStream err) {
        Session session = new Session(env, Path.of("").toAbsolutePath(), in, out, err);
        try {
            return dispatch(command, args, session);
        } catch (Failure f) {
            err.println("civitai-daemon " + command + ": " + f.getMessage());
            if (f.exitCode == ExitCode.USAGE) {
                err.println("(civitai-daemon help lists the commands and their options)");
            }
            return f.exitCode;
        }
    }

    private static int dispatch(String command, List<String> args, Session s) throws Failure {
        var jobs = new JobCommands(s);
        var reports = new ReportCommands(s);
        var library = new LibraryCommands(s);
        return switch (command) {
            case "status" -> new StatusCommand(s)
                    .run(Args.parse(args, Set.of(), Set.of("--watch")));
            case "list" -> jobs.list(Args.parse(args, Set.of("--state", "--limit"), Set.of()));
            case "add" -> jobs.add(Args.parse(args, Set.of("--type", "--priority"), Set.of()));
            case "batch" -> jobs.batch(Args.parse(args, Set.of(), Set.of()));
            case "workflow" -> new WorkflowCommand(s)
                    .run(Args.parse(args, Set.of(), WorkflowCommand.FLAGS));
            case "pause", "resume", "cancel", "retry" ->
                    jobs.control(command, Args.parse(args, Set.of(), Set.of()));
            case "remove" -> jobs.remove(Args.parse(args, Set.of(), Set.of("--delete-file")));
            case "completed" -> jobs.completed(Args.parse(args, Set.of("--type", "--limit"),
                    Set.of()));
            case "metrics" -> reports.metrics(Args.parse(args, Set.of(), Set.of()));
            case "updates" -> reports.updates(Args.parse(args, Set.of(), Set.of()));
            case "check-updates" -> reports.checkUpdates(Args.parse(args, Set.of(), Set.of()));
            case "scan" -> library.scan(Args.parse(args, Set.of("--root"), Set.of("--watch")));
            case "library" -> library.library(Args.parse(args,
                    Set.of("--type", "--root", "--sort", "--q", "--limit"),
                    Set.of("--unidentified")));
            case "dupes" -> library.dupes(Args.parse(args, Set.of(), Set.of()));
            case "adopt" -> library.adopt(Args.parse(args, Set.of("--update"), Set.of()));
            case "token" -> new TokenCommand(s)
                    .run(Args.parse(args, TokenCommand.OPTIONS, Set.of()));
            case "config-merge" -> new ConfigMerge(s).run(args);
            default -> throw Failure.usage("unknown command \"" + command + "\"");
        };
    }
}
