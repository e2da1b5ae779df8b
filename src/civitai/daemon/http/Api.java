package civitai.daemon.http;

import static civitai.daemon.auth.Role.ADMIN;
import static civitai.daemon.auth.Role.VIEWER;

import civitai.daemon.auth.Jwt;
import civitai.daemon.civitai.Resolver;
import civitai.daemon.civitai.UpdateChecker;
import civitai.daemon.config.AddressRange;
import civitai.daemon.download.DownloadQueue;
import civitai.daemon.download.part.LibraryReuse;
import civitai.daemon.download.rules.SpaceGate;
import civitai.daemon.events.EventStream;
import civitai.daemon.http.intake.Intake;
import civitai.daemon.http.intake.References;
import civitai.daemon.http.library.DiskUse;
import civitai.daemon.http.library.LibraryRoutes;
import civitai.daemon.http.server.Forwarded;
import civitai.daemon.http.server.HostCheck;
import civitai.daemon.http.server.Router;
import civitai.daemon.http.workflow.WorkflowLinks;
import civitai.daemon.http.workflow.WorkflowQueue;
import civitai.daemon.http.workflow.WorkflowRoutes;
import civitai.daemon.huggingface.HubResolver;
import civitai.daemon.library.Library;
import civitai.daemon.library.index.LibraryIndex;
import civitai.daemon.library.index.LibraryQuery;
import civitai.daemon.log.DaemonLog;
import civitai.daemon.manifest.ManifestFile;
import civitai.daemon.notify.Webhooks;
import civitai.daemon.store.deliveries.WebhookStore;
import civitai.daemon.store.jobs.JobHistory;
import civitai.daemon.store.jobs.JobState;
import civitai.daemon.store.jobs.JobStore;
import civitai.daemon.target.Layout;
import com.sun.net.httpserver.Filter;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.function.IntSupplier;

/**
 * The REST API: the one route table, with who may call each route. Readers need the viewer role,
 * changes the admin role (when {@code jwt_secret} is set); {@code /healthz} and the GUI's page and
 * files are open.
 */
public final class Api {
    /** Everything the routes read or drive. */
    public record Parts(String version, Clock clock, int workers, Duration eventHeartbeat,
            JobStore store, JobHistory history, DownloadQueue queue, ManifestFile manifest,
            EventStream events,
            WebhookStore webhooks, IntSupplier port, Jwt jwt, DaemonLog log, References references,
            UpdateChecker updates, String bindAddress, List<String> allowedHosts,
            Webhooks notifications, List<AddressRange> trustedProxies,
            Path downloadDir, Library library,
            LibraryIndex libraryIndex, Layout layout,
            SpaceGate space, LibraryReuse reuse) {}

    private final Parts parts;

    /**
     * Reference handling for the API, accepting links to the configured Civitai host and Hub
     * endpoint too (a mirror, a test server).
     */
    public static References references(Resolver resolver, URI civitaiUrl,
            HubResolver hub, URI hubEndpoint) {
        return new References(resolver, authority(civitaiUrl), hub, authority(hubEndpoint));
    }

    private static String authority(URI uri) {
        return uri.getRawAuthority() == null ? "" : uri.getRawAuthority().toLowerCase(Locale.ROOT);
    }

    public Api(Parts parts) {
        this.parts = parts;
    }

    Router router() {
        return new Router(table(), parts.jwt(),
                new HostCheck(parts.bindAddress(), parts.allowedHosts(), parts.port()),
                parts.log());
    }

    /** Reads X-Forwarded-* from {@code trusted_proxies} before any route sees the request. */
    Filter forwarded() {
        return Forwarded.filter(parts.trustedProxies());
    }

    List<Router.Route> table() {
        var disks = new DiskUse(parts.space(), parts.library(),
                new LibraryQuery(parts.libraryIndex()));
        var status = new StatusRoutes(parts.version(), parts.clock(), parts.workers(),
                parts.store(), parts.queue(), parts.port(), parts.manifest(), disks);
        var intake = new Intake(parts.queue(), parts.manifest(), parts.references());
        var jobs = new JobRoutes(parts.queue(), parts.store(), parts.history(), parts.manifest());
        var adds = new AddRoutes(parts.queue(), intake);
        var workflows = new WorkflowRoutes(parts.libraryIndex(), parts.layout(),
                parts.downloadDir(), new WorkflowQueue(intake, parts.store(),
                        new WorkflowLinks(parts.reuse(), parts.library(),
                        type -> parts.layout().folder(parts.downloadDir(), type))));
        var metrics = new MetricsRoutes(parts.store(), parts.history(), parts.queue(), disks);
        var events = new EventRoutes(parts.events(), parts.eventHeartbeat());
        var webhooks = new WebhookRoutes(parts.webhooks(), parts.notifications(), parts.log());
        var updates = new UpdateRoutes(parts.updates());
        DownloadQueue queue = parts.queue();
        var gui = new GuiRoutes();
        var previews = new PreviewRoutes(parts.downloadDir());
        var policies = new PolicyRoutes(parts.manifest());
        var meta = new MetaRoutes(parts.references().hubEndpoint());
        var library = new LibraryRoutes(parts.library(), parts.libraryIndex());
        var adopt = new AdoptRoutes(parts.libraryIndex(), parts.manifest());
        return List.of(
                new Router.Route("GET", "/healthz", null, status::health),
                new Router.Route("GET", "/api/status", VIEWER, status::status),
                new Router.Route("GET", "/api/meta", VIEWER, meta::meta),
                new Router.Route("POST", "/api/download", ADMIN, adds::download),
                new Router.Route("POST", "/api/batch", ADMIN, adds::batch),
                new Router.Route("POST", "/api/workflow", ADMIN, workflows::post),
                new Router.Route("POST", "/api/workflow/plan/{id}/queue", ADMIN,
                        workflows::queuePlan),
                new Router.Route("GET", "/api/jobs", VIEWER, jobs::list),
                new Router.Route("GET", "/api/jobs/{id}", VIEWER, jobs::get),
                new Router.Route("PATCH", "/api/jobs/{id}", ADMIN, jobs::patch),
                new Router.Route("DELETE", "/api/jobs/{id}", ADMIN, jobs::delete),
                new Router.Route("POST", "/api/jobs/{id}/pause", ADMIN,
                        jobs.control(queue::pause, JobState.PAUSED)),
                new Router.Route("POST", "/api/jobs/{id}/resume", ADMIN,
                        jobs.control(queue::resume, null)),
                new Router.Route("POST", "/api/jobs/{id}/cancel", ADMIN,
                        jobs.control(queue::cancel, JobState.CANCELLED)),
                new Router.Route("POST", "/api/jobs/{id}/retry", ADMIN,
                        jobs.control(queue::retry, null)),
                new Router.Route("GET", "/api/completed", VIEWER,
                        previews.withPreviews(jobs::completed)),
                new Router.Route("GET", "/api/metrics", VIEWER, metrics::get),
                new Router.Route("GET", "/metrics", VIEWER, metrics::prometheus),
                new Router.Route("GET", "/api/events", VIEWER, true, events::stream),
                new Router.Route("GET", "/ws/downloads", VIEWER, true, events::stream),
                new Router.Route("GET", "/api/webhooks", VIEWER, webhooks::recent),
                new Router.Route("GET", "/api/notifications", VIEWER, webhooks::recent),
                new Router.Route("POST", "/api/notifications/{name}/test", ADMIN, webhooks::test),
                new Router.Route("GET", "/api/updates", VIEWER, updates::last),
                new Router.Route("POST", "/api/updates/check", ADMIN, updates::check),
                // the browser GUI: the page and its files are open, like any login page;
                // everything they show comes from the API routes above, with the caller's token
                new Router.Route("GET", "/", null, gui::root),
                new Router.Route("GET", "/gui", null, gui::page),
                new Router.Route("GET", "/gui/", null, gui::slash),
                new Router.Route("GET", "/static/{name}", null, gui::file),
                new Router.Route("GET", "/api/whoami", null, GuiRoutes.whoami(parts.jwt())),
                new Router.Route("GET", "/api/preview", VIEWER, previews::get),
                new Router.Route("GET", "/api/updates/policies", VIEWER, policies::list),
                new Router.Route("PUT", "/api/updates/policies/{modelId}", ADMIN, policies::set),
                // the library: literal paths before /api/library/{id}, which would match them too
                new Router.Route("GET", "/api/library", VIEWER, library::list),
                new Router.Route("GET", "/api/library/scan", VIEWER, library::scanStatus),
                new Router.Route("POST", "/api/library/scan", ADMIN, library::scan),
                new Router.Route("DELETE", "/api/library/scan", ADMIN, library::cancel),
                new Router.Route("GET", "/api/library/duplicates", VIEWER, library::duplicates),
                new Router.Route("POST", "/api/library/adopt", ADMIN, adopt::adopt),
                new Router.Route("POST", "/api/library/dedupe", ADMIN, library::dedupe),
                new Router.Route("GET", "/api/library/{id}", VIEWER, library::get));
    }
}
