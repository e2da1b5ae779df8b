package civitai.daemon.cli;

import civitai.daemon.cli.session.Args;
import civitai.daemon.cli.session.ExitCode;
import civitai.daemon.cli.session.Failure;
import civitai.daemon.cli.session.Session;
import civitai.daemon.cli.view.Format;
import civitai.daemon.cli.view.Table;
import civitai.daemon.cli.view.Views;
import com.eclipsesource.json.JsonObject;
import com.eclipsesource.json.JsonValue;

/**
 * {@code metrics} ({@code /api/metrics}), {@code updates} (the last update check,
 * {@code /api/updates}) and {@code check-updates} (start one now).
 */
final class ReportCommands {
    private final Session session;

    ReportCommands(Session session) {
        this.session = session;
    }

    int metrics(Args a) throws Failure {
        a.positional(0, "");
        JsonObject m = session.client(a).get("/api/metrics");
        if (a.json()) {
            session.printJson(m);
            return ExitCode.OK;
        }
        Table t = new Table("METRIC", "VALUE");
        for (JsonObject.Member s : Views.object(m, "jobs")) {
            t.row("jobs " + s.getName(), s.getValue().toString());
        }
        t.row("bytes completed", Format.bytes(Views.number(m, "bytes_completed")));
        t.row("bytes transferred", Format.bytes(Views.number(m, "bytes_transferred")));
        t.row("average speed", Format.speed(Views.number(m, "average_bytes_per_second")));
        t.row("best speed", Format.speed(Views.number(m, "best_bytes_per_second")));
        t.row("success rate", Format.percent(Views.decimal(m, "success_rate")));
        t.row("retries", Views.text(m, "retries", "0"));
        for (JsonObject.Member f : Views.object(m, "failures_by_reason")) {
            t.row("failed: " + f.getName(), f.getValue().toString());
        }
        session.out().print(t.render());
        Table types = new Table("TYPE", ">FILES", ">BYTES");
        for (JsonObject.Member p : Views.object(m, "per_model_type")) {
            JsonObject tally = p.getValue().asObject();
            types.row(p.getName(), Views.text(tally, "count", "0"),
                    Format.bytes(Views.number(tally, "bytes")));
        }
        if (!types.isEmpty()) {
            session.out().print("\n" + types.render());
        }
        return ExitCode.OK;
    }

    int updates(Args a) throws Failure {
        a.positional(0, "");
        JsonObject u = session.client(a).get("/api/updates");
        if (a.json()) {
            session.printJson(u);
            return ExitCode.OK;
        }
        boolean running = u.get("running") != null && u.get("running").isTrue();
        JsonValue last = u.get("last_run");
        if (last == null || !last.isObject()) {
            session.out().println(running ? "the first update check is running" : "no update check"
                    + " has run yet (civitai-daemon check-updates starts one)");
            return ExitCode.OK;
        }
        JsonObject run = last.asObject();
        session.out().println("last check " + Views.text(run, "started_at", "?") + " to "
                + Views.text(run, "finished_at", "?") + ": "
                + Views.text(run, "models_checked", "0") + " models checked, "
                + Views.text(run, "updates", "0") + " updates, " + Views.text(run, "errors", "0")
                + " errors" + (running ? " (another check is running)" : ""));
        Table t = new Table(">MODEL", "STATUS", ">VERSION", ">NEWEST", "MESSAGE");
        for (JsonValue v : Views.array(run, "models")) {
            JsonObject model = v.asObject();
            t.row(Views.text(model, "model_id", "?"), Views.text(model, "status", ""),
                    Views.text(model, "version_id", "-"),
                    Views.text(model, "newest_version_id", "-"), Views.text(model, "message", ""));
        }
        if (!t.isEmpty()) {
            session.out().print(t.render());
        }
        return ExitCode.OK;
    }

    int checkUpdates(Args a) throws Failure {
        a.positional(0, "");
        JsonObject answer = session.client(a).send("POST", "/api/updates/check", null);
        if (a.json()) {
            session.printJson(answer);
        } else {
            session.out().println("update check started; civitai-daemon updates shows its result");
        }
        return ExitCode.OK;
    }
}
