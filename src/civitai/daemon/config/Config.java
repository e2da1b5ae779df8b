package civitai.daemon.config;

import civitai.daemon.target.ExistingFiles;
import civitai.daemon.target.Layout;
import civitai.daemon.target.ReuseMode;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * Every setting of the daemon, validated by {@link ConfigLoader}; immutable and thread-safe.
 *
 * @param configFile       the file this was read from (the port is written back into it)
 * @param webhookUrls      where job events are POSTed; empty for none
 * @param throttle         minimum time between the starts of two downloads
 * @param retries          attempts after the first before a job fails
 * @param workers          concurrent downloads
 * @param timeout          the longest one attempt at one file may take (a retry resumes)
 * @param stallTimeout     the longest an attempt may go without receiving a byte
 * @param maxDownloadSpeed bytes per second across all workers, 0 for unlimited
 * @param activePort       the port to listen on, or null to pick a free one in 8100–8200 and
 *                         save it; 0 for any free port, not saved (tests)
 * @param civitaiApiKey    sent as a Bearer token to the Civitai host only; null for none
 * @param jwtSecret        secret for API tokens; null when auth is off
 * @param civitaiUrl       base of Civitai's REST API v1
 * @param manifestMode     how the update checker rewrites manifest.json: replace or append
 * @param retryBaseDelay   first retry delay; later ones double, with jitter
 * @param retryMaxDelay    cap on one retry delay, also the wait after a quota 429
 * @param webhookSecret    HMAC key for webhook signatures; null for unsigned deliveries
 * @param webhookRetryDelay the first wait before a webhook is retried; each next one is 3 times
 *                          longer
 * @param allowUnauthenticatedRemote serve without {@code jwt_secret} on a non-loopback address
 * @param eventHeartbeat   how often an idle event stream gets a comment, so proxies keep it open
 * @param allowUnscanned   accept Civitai files whose pickle or virus scan did not pass
 * @param updateInterval   time between update checks (a little jitter is added); zero turns them
 *                         off
 * @param updateFirstDelay time from start to the first update check
 * @param layout           flat, comfyui or a1111: the folder each model_type goes to
 * @param sidecars         write {@code <name>.civitai.json} beside files from Civitai references
 *                         and {@code <name>.hf.json} beside files from the Hugging Face Hub
 * @param previews         write {@code <name>.preview.<ext>} too
 * @param allowNsfwPreviews take the first image even when it is NSFW
 * @param filePreferences  format / fp / size wanted when a version has several files
 * @param allowedHosts     extra {@code Host} names (or name:port) answered when auth is off, for
 *                         a reverse proxy; loopback names and the bind address are always allowed
 * @param maxConnections   open HTTP connections at once; beyond it new ones are closed at accept
 * @param maxEventClients  event-stream subscribers at once; beyond it a 503
 * @param requestTimeout   the longest a client may take to send a request's headers and body
 * @param existingFiles    keep, backup or replace: what happens to a file already at a target
 *                         whose hash is not the entry's
 * @param connectionsPerDownload concurrent Range requests for one file (1: one stream)
 * @param minSegmentSize   a file is split only into segments at least this large (bytes)
 * @param maxConnectionsPerHost connections to one host across all downloads
 * @param notifications    where events are sent (Telegram, ntfy, Discord, webhooks), the top-level
 *                         {@code webhook_url} included as webhook targets
 * @param outboundProxy    the forward proxy for Civitai, downloads and notifications
 * @param trustedProxies   reverse proxies (IPs, CIDR ranges) whose X-Forwarded-* headers are
 *                         believed
 * @param healthPort       a second listener on the bind address that answers {@code /healthz} only,
 *                         so a supervisor still sees the daemon while clients hold every API
 *                         connection; 0: none
 * @param libraryReuse     link, copy or off: how a job is satisfied from a file the library holds
 *                         with the job's SHA-256, instead of a download
 * @param minFreeSpace     what a download of known size must leave free on its file system
 * @param maxFileSize      where a body is cut when neither the entry nor the server says the
 *                         file's size (bytes)
 * @param huggingFace      the Hub's endpoint and token
 */
public record Config(
        Path configFile,
        List<URI> webhookUrls,
        Duration throttle,
        int retries,
        int workers,
        Duration timeout,
        Duration stallTimeout,
        long maxDownloadSpeed,
        Path downloadDir,
        Integer activePort,
        String bindAddress,
        String civitaiApiKey,
        String jwtSecret,
        URI civitaiUrl,
        ManifestMode manifestMode,
        Path databaseFile,
        Path manifestFile,
        Path logDir,
        long logMaxBytes,
        int logFiles,
        Duration retryBaseDelay,
        Duration retryMaxDelay,
        String webhookSecret,
        Duration webhookRetryDelay,
        boolean allowUnauthenticatedRemote,
        Duration eventHeartbeat,
        boolean allowUnscanned,
        Duration updateInterval,
        Duration updateFirstDelay,
        Layout layout,
        boolean sidecars,
        boolean previews,
        boolean allowNsfwPreviews,
        FilePreferences filePreferences,
        List<String> allowedHosts,
        int maxConnections,
        int maxEventClients,
        Duration requestTimeout,
        ExistingFiles existingFiles,
        int connectionsPerDownload,
        long minSegmentSize,
        int maxConnectionsPerHost,
        List<Notification> notifications,
        ProxySettings outboundProxy,
        List<AddressRange> trustedProxies,
        int healthPort,
        List<Path> libraryRoots,
        ReuseMode libraryReuse,
        MinFreeSpace minFreeSpace,
        long maxFileSize,
        HubSettings huggingFace) {

    public Config {
        Objects.requireNonNull(configFile, "configFile");
        webhookUrls = List.copyOf(webhookUrls);
        Objects.requireNonNull(filePreferences, "filePreferences");
        allowedHosts = List.copyOf(allowedHosts);
        notifications = List.copyOf(notifications);
        Objects.requireNonNull(outboundProxy, "outboundProxy");
        trustedProxies = List.copyOf(trustedProxies);
        libraryRoots = List.copyOf(libraryRoots);
        Objects.requireNonNull(downloadDir, "downloadDir");
        Objects.requireNonNull(civitaiUrl, "civitaiUrl");
        Objects.requireNonNull(huggingFace, "huggingFace");
        Objects.requireNonNull(manifestMode, "manifestMode");
        Objects.requireNonNull(layout, "layout");
        Objects.requireNonNull(existingFiles, "existingFiles");
        Objects.requireNonNull(libraryReuse, "libraryReuse");
    }

    /** Secrets that must never appear in a log line or an API answer. */
    public List<String> secrets() {
        Stream<String> own =
                Stream.of(civitaiApiKey, jwtSecret, webhookSecret, huggingFace.token());
        Stream<String> targets = notifications.stream().flatMap(n -> n.secrets().stream());
        return Stream.of(own, targets, outboundProxy.secrets().stream())
                .flatMap(s -> s)
                .filter(s -> s != null && !s.isEmpty())
                .distinct()
                .toList();
    }

    /** True when the bind address only accepts connections from this machine. */
    public boolean loopbackOnly() {
        try {
            return InetAddress.getByName(bindAddress).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
