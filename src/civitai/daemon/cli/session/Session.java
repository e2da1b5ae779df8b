package civitai.daemon.cli.session;

import com.eclipsesource.json.JsonValue;
import com.eclipsesource.json.WriterConfig;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;

/**
 * What one client command runs with: the environment, the working folder (config.json and
 * manifest paths resolve against it), standard input (a file named {@code -}), and where output
 * goes.
 */
public record Session(Map<String, String> env, Path workingDir, InputStream in, PrintStream out,
        PrintStream err) {
    /** Finds the daemon from the command's options and the environment. */
    public DaemonClient client(Args args) throws Failure {
        return new DaemonClient(new Locator(env, workingDir).locate(args));
    }

    /** {@code --json}: the daemon's answer as it came, indented, for scripts. */
    public void printJson(JsonValue value) {
        out.println(value.toString(WriterConfig.PRETTY_PRINT));
    }
}
