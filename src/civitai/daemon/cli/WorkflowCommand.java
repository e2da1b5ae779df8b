package civitai.daemon.cli;

import civitai.daemon.cli.session.Args;
import civitai.daemon.cli.session.DaemonClient;
import civitai.daemon.cli.session.ExitCode;
import civitai.daemon.cli.session.Failure;
import civitai.daemon.cli.session.LiveScreen;
import civitai.daemon.cli.session.Session;
import civitai.daemon.cli.view.Views;
import civitai.daemon.workflow.WorkflowReader;
import com.eclipsesource.json.JsonArray;
import com.eclipsesource.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * {@code workflow FILE [--yes]}: a ComfyUI workflow (JSON or PNG) or A1111 parameters text
 * ({@code -}: standard input) sent as it is to {@code POST /api/workflow}, its plan printed; with
 * {@code --yes}, what is missing is queued and its jobs followed, as {@code status --watch} follows
 * the daemon, until each has completed or failed. Exit 0 when everything is there (or will be),
 * 4 when a model is not found or needs a choice, 5 when a queued download failed.
 * <pre>
 *   civitai-daemon workflow my_workflow.json
 *   civitai-daemon workflow ComfyUI_00001_.png --yes
 *   xclip -o | civitai-daemon workflow - --json
 * </pre>
 */
final class WorkflowCommand {
    static final Set<String> FLAGS = Set.of("--yes");

    private final Session session;

    WorkflowCommand(Session session) {
        this.session = session;
    }

    int run(Args a) throws Failure {
        String name = a.positional(1, "the workflow: a ComfyUI JSON or PNG file, or - for A1111"
                + " text on standard input").get(0);
        byte[] body = read(name);
        DaemonClient client = session.client(a);
        boolean yes = a.flag("--yes");
        JsonObject answer = client.post("/api/workflow" + (yes ? "?queue=true" : ""), body);
        PlanView plan = new PlanView(answer);
        if (!a.json()) {
            session.out().print(plan.render(sizes(plan)));
            session.out().println(plan.summary());
        }
        if (!yes) {
            if (a.json()) {
                session.printJson(answer);
            }
            return plan.exitCode();
        }
        JobFollow follow = new JobFollow(session, client, jobs(plan));
        JsonArray finished = follow.run(a.json() ? LiveScreen.Placement.HIDDEN
                : LiveScreen.Placement.BELOW);
        if (a.json()) {
            session.printJson(answer.add("jobs", finished == null ? new JsonArray() : finished));
        }
        return finished != null && JobFollow.anyFailed(finished) ? ExitCode.DOWNLOAD_FAILED
                : plan.exitCode();
    }

    /** The file's bytes, or standard input's for {@code -}; at most what the daemon takes. */
    private byte[] read(String name) throws Failure {
        if (name.equals("-")) {
            return limited(session.in(), "standard input");
        }
        Path file = session.workingDir().resolve(name);
        if (Files.isDirectory(file)) {
            throw Failure.usage(file + " is a folder, not a workflow file");
        }
        try (InputStream in = Files.newInputStream(file)) {
            return limited(in, file.toString());
        } catch (NoSuchFileException e) {
            throw Failure.usage("no such file: " + file);
        } catch (AccessDeniedException e) {
            throw Failure.usage("cannot read " + file + ": permission denied");
        } catch (IOException e) {
            throw Failure.usage("cannot read " + file + ": " + e.getMessage());
        }
    }

    private static byte[] limited(InputStream in, String where) throws Failure {
        byte[] bytes;
        try {
            // one byte past the limit tells it apart
            bytes = in.readNBytes(WorkflowReader.MAX_PNG_BYTES + 1);
        } catch (IOException e) {
            throw Failure.usage("cannot read " + where + ": " + e.getMessage());
        }
        if (bytes.length > WorkflowReader.MAX_PNG_BYTES) {
            throw Failure.usage(where + " is larger than " + (WorkflowReader.MAX_PNG_BYTES >> 20)
                    + " MiB: no workflow is that big");
        }
        if (bytes.length == 0) {
            throw Failure.usage(where + " is empty");
        }
        return bytes;
    }

    /**
     * Every job the queueing named (queued, held, already known), each once, in the plan's order.
     */
    private static Set<Long> jobs(PlanView plan) {
        Set<Long> ids = new LinkedHashSet<>();
        for (JsonObject row : plan.rows()) {
            Long id = Views.number(Views.object(row, "queue"), "job_id");
            if (id != null) {
                ids.add(id);
            }
        }
        return ids;
    }

    /** Each row's file size, when the library has the file (the plan says; null otherwise). */
    private static List<Long> sizes(PlanView plan) {
        List<Long> sizes = new ArrayList<>();
        for (JsonObject row : plan.rows()) {
            sizes.add(Views.number(row, "size"));
        }
        return sizes;
    }
}
