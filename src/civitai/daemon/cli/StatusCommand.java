package civitai.daemon.cli;

import civitai.daemon.cli.session.Args;
import civitai.daemon.cli.session.DaemonClient;
import civitai.daemon.cli.session.ExitCode;
import civitai.daemon.cli.session.Failure;
import civitai.daemon.cli.session.LiveScreen;
import civitai.daemon.cli.session.Session;
import civitai.daemon.cli.view.Format;
import civitai.daemon.cli.view.Table;
import civitai.daemon.cli.view.Views;
import com.eclipsesource.json.JsonObject;
import com.eclipsesource.json.JsonValue;

/**
 * {@code status}: the daemon's version, job counts and active downloads with progress bars.
 * {@code status --watch} follows {@code /api/events} and redraws the same screen in place on each
 * event (at most a few times a second, see {@link LiveScreen}), until the daemon closes the stream
 * or the user presses Ctrl-C.
 */
final class StatusCommand {
    private final Session session;

    StatusCommand(Session session) {
        this.session = session;
    }

    int run(Args a) throws Failure {
        a.positional(0, "");
        DaemonClient client = session.client(a);
        if (a.flag("--watch")) {
            return watch(client);
        }
        JsonObject status = client.get("/api/status");
        if (a.json()) {
            session.printJson(status);
        } else {
            session.out().print(render(status, client));
        }
        return ExitCode.OK;
    }

    static String render(JsonObject s, DaemonClient client) {
        StringBuilder out = new StringBuilder();
        out.append(Views.text(s, "name", "civitai-daemon")).append(' ')
                .append(Views.text(s, "version", "?")).append(" at ").append(client.target().base())
                .append("  up ").append(Format.duration(Views.number(s, "uptime_seconds")))
                .append("  workers ").append(Views.text(s, "workers", "?")).append('\n');
        StringBuilder counts = new StringBuilder();
        for (JsonObject.Member m : Views.object(s, "jobs")) {
            if (m.getValue().isNumber() && m.getValue().asDouble() == 0) {
                continue;
            }
            counts.append(counts.isEmpty() ? "" : ", ").append(m.getValue()).append(' ')
                    .append(m.getName());
        }
        out.append("jobs: ").append(counts.isEmpty() ? "none" : counts).append('\n');
        JsonObject manifest = Views.object(s, "manifest");
        if (Views.text(manifest, "error") != null) {
            out.append("manifest ").append(Views.text(manifest, "path", "")).append(": ")
                    .append(Views.text(manifest, "error")).append('\n');
        }
        var active = Views.array(s, "active");
        if (active.isEmpty()) {
            return out.append("no active downloads\n").toString();
        }
        out.append("downloading at ").append(Format.speed(Views.number(s, "bytes_per_second")))
                .append(":\n");
        Table t = new Table(">ID", "TYPE", "PROGRESS", ">SPEED", ">ETA", "FILE");
        for (JsonValue v : active) {
            JsonObject d = v.asObject();
            long bytes = Views.number(d, "bytes") == null ? 0 : Views.number(d, "bytes");
            t.row(Views.text(d, "id", "?"), Views.text(d, "model_type", ""),
                    Format.bar(bytes, Views.number(d, "total")),
                    Format.speed(Views.number(d, "bytes_per_second")),
                    Format.duration(Views.number(d, "eta_seconds")),
                    Views.text(d, "filename", "(name not known yet)"));
        }
        return out.append(t.render()).toString();
    }

    /** Redraws on each event, until the stream ends (the daemon stopped: exit 3) or Ctrl-C. */
    private int watch(DaemonClient client) throws Failure {
        new LiveScreen(session, LiveScreen.Placement.TOP).follow(client,
                () -> new LiveScreen.Frame(render(client.get("/api/status"), client), false));
        return ExitCode.OK;
    }
}
