package civitai.daemon.testing;

import civitai.daemon.auth.Jwt;
import civitai.daemon.auth.Role;
import com.eclipsesource.json.Json;
import com.eclipsesource.json.JsonArray;
import com.eclipsesource.json.JsonObject;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * What the browser tests (test/e2e) run against: the fake storage host, the fake Civitai and a real
 * daemon on 127.0.0.1 with its data in a temp folder. Prints one JSON line with the URLs (and
 * tokens, with {@code --jwt}), then serves until its stdin closes, it reads {@code quit}, or
 * {@code --lifetime} seconds pass (600 by default), and deletes its folder.
 * <pre>
 *   java -cp build/test-classes:build/classes:lib/... civitai.daemon.testing.E2eFixture [--jwt] [--port N] [--behind-proxy HOST] [--workflow | --library | --hub]
 * </pre>
 * {@code --port N} puts the daemon on a fixed port, for a reverse proxy configured in advance.
 * {@code --behind-proxy HOST} configures the daemon as deploy/nginx's comments say for a proxy on
 * this machine: {@code HOST} in {@code allowed_hosts} (without a jwt_secret the daemon answers no
 * other names) and {@code 127.0.0.1} in {@code trusted_proxies}.
 * {@code --workflow} is the workflow page's setup: the {@code comfyui} layout, a fake Hugging Face
 * Hub (hf_endpoint) that has the checkpoint ComfyUI's default workflow links to, and a library
 * seeded for {@code ipadapter_advanced.json} (its checkpoint present, its CLIP vision model under
 * two folders), scanned before the line is printed.
 * {@code --library} is the Library page's setup: model files that were never downloaded, in
 * download_dir (one Civitai knows by its hash, two copies of one checkpoint) and in a read-only
 * {@code library_roots} folder (two Civitai does not know), scanned and identified before the
 * line is printed; the line's {@code workflow} member says their folders and hashes, and the URL
 * of a file on a fake Hugging Face Hub (hf_endpoint) to download.
 * {@code --hub} is the Add tab's Hugging Face setup: hf_endpoint at a fake Hub with a public VAE
 * and a git-stored (non-LFS) file beside it, and a gated repo (no hf_token is set, so the daemon
 * refuses it as {@code gated}); the line's {@code hub} member says the endpoint, their repos,
 * paths, commit, size and hashes.
 * Commands on stdin: {@code pace <bytes per second>} (0: full speed), {@code quit}.
 */
public final class E2eFixture {
    /** Files on the storage host big enough to watch: they take a while at the default pace. */
    static final int BIG = 24 << 20;
    static final long PACE = 3 << 20;
    /** What ComfyUI's default workflow links to on the Hub, and what the seeded library holds. */
    static final String HF_REPO = "Comfy-Org/stable-diffusion-v1-5-archive";
    static final String HF_CHECKPOINT = "v1-5-pruned-emaonly-fp16.safetensors";
    static final String SEEDED_CHECKPOINT =
            "checkpoints/sd15/realisticVisionV51_v51VAE.safetensors";
    static final String CLIP_VISION = "CLIP-ViT-H-14-laion2B-s32B-b79K.safetensors";
    /**
     * What {@code --library} seeds: a file the fake Civitai knows by its hash, and a duplicate
     * pair.
     */
    static final long FLUX_VERSION = 1387174;
    static final long FLUX_MODEL = 1231067;
    static final String IDENTIFIED = "flux-found-on-disk.safetensors";
    static final String DUPLICATE_A = "dup-a.safetensors";
    static final String DUPLICATE_B = "dup-b.safetensors";
    static final String COMFY_ROOT = "comfy/models";
    /**
     * A file {@code --library}'s Hub has, for a download whose source is a repository and commit.
     */
    static final String HF_VAE_REPO = "e2e-org/tiny-vae";
    static final String HF_VAE = "tiny-vae.safetensors";
    /** What {@code --hub}'s Hub has: a public file under a sub-folder, and a gated repo. */
    static final String HUB_REPO = "e2e-org/flux-parts";
    static final String HUB_PATH = "vae/ae.safetensors";
    static final String GATED_REPO = "e2e-org/gated-model";
    static final String GATED_PATH = "model.safetensors";
    static final String GIT_PATH = "vae/config.json";

    private E2eFixture() {}

    public static void main(String[] args) throws Exception {
        boolean jwt = false;
        boolean workflow = false;
        boolean library = false;
        boolean hubbed = false;
        int port = 0;
        long lifetime = 600;
        JsonArray proxiedHosts = new JsonArray();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--jwt" -> jwt = true;
                case "--port" -> port = Integer.parseInt(args[++i]);
                case "--lifetime" -> lifetime = Long.parseLong(args[++i]);
                case "--behind-proxy" -> proxiedHosts.add(args[++i]);
                case "--workflow" -> workflow = true;
                case "--library" -> library = true;
                case "--hub" -> hubbed = true;
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        Path dir = Files.createTempDirectory("civitai-e2e-");
        try (FakeStorage storage = new FakeStorage(); FakeCivitai civitai =
                new FakeCivitai(storage);
                FakeHub hub = FakeHub.start()) {
            storage.pace(PACE);
            JsonObject config = TestDaemon.testConfig(civitai).set("active_port", port)
                    .set("workers", 3).set("update_interval_hours", 0);
            JsonObject seeded = new JsonObject();
            if (workflow) {
                seeded = seedWorkflowLibrary(dir, hub);
                config.set("layout", "comfyui").set("hf_endpoint", hub.base().toString());
            }
            if (library) {
                seeded = seedLibrary(dir, civitai);
                String commit = hub.push(HF_VAE_REPO, "main", HF_VAE, Bytes.random(50_000, 304),
                        true);
                seeded.add("hub_vae_url", hub.base() + "/" + HF_VAE_REPO + "/resolve/main/"
                        + HF_VAE).add("hub_vae_commit", commit);
                config.set("library_roots", new JsonArray().add(dir.resolve(COMFY_ROOT).toString()))
                        .set("hf_endpoint", hub.base().toString());
            }
            JsonObject hubFiles = new JsonObject();
            if (hubbed) {
                byte[] vae = Bytes.random(2 << 20, 401);
                byte[] gitFile =
                        "{\"_class_name\": \"AutoencoderKL\"}\n".getBytes(StandardCharsets.UTF_8);
                hub.push(HUB_REPO, "main", GIT_PATH, gitFile, false);  // main's head has both files
                String commit = hub.push(HUB_REPO, "main", HUB_PATH, vae, true);
                hub.push(GATED_REPO, "main", GATED_PATH, Bytes.random(10_000, 402), true);
                hub.gate(GATED_REPO, "e2e-token-nobody-has");
                hubFiles.add("repo", HUB_REPO).add("path", HUB_PATH).add("commit", commit)
                        .add("size", vae.length).add("sha256", FakeHub.sha256(vae))
                        .add("gated_repo", GATED_REPO).add("gated_path", GATED_PATH)
                        .add("endpoint", hub.base().toString())
                        .add("git_path", GIT_PATH)
                        .add("git_sha256", FakeHub.sha256(gitFile))
                        .add("git_sha1", FakeHub.gitSha1(gitFile));
                config.set("hf_endpoint", hub.base().toString());
            }
            String secret = "e2e-secret-" + Long.toHexString(new SecureRandom().nextLong())
                    + "-0123456789";
            if (jwt) {
                config.set("jwt_secret", secret);
            }
            if (!proxiedHosts.isEmpty()) {
                config.set("allowed_hosts", proxiedHosts)
                        .set("trusted_proxies", new JsonArray().add("127.0.0.1"));
            }
            try (TestDaemon daemon = TestDaemon.start(dir, config, new JsonArray())) {
                if (workflow || library) {
                    awaitScan(daemon, jwt ? new Jwt(secret, Clock.systemUTC())
                            .sign(Role.VIEWER, Duration.ofMinutes(5))
                            : null);
                }
                JsonObject described = describe(daemon, civitai, storage, jwt ? secret : null);
                System.out.println(described.add("workflow", seeded).add("hub", hubFiles)
                        .toString());
                System.out.flush();
                serve(storage, Duration.ofSeconds(lifetime));
            }
        } finally {
            delete(dir);
        }
        System.exit(0);  // the daemon's and fakes' executors hold no state worth waiting for
    }

    /** The Hub's checkpoint and the library's files; answers their SHA-256 by name. */
    private static JsonObject seedWorkflowLibrary(Path dir, FakeHub hub) throws IOException {
        byte[] checkpoint = Bytes.random(3 << 20, 201);
        hub.push(HF_REPO, "main", HF_CHECKPOINT, checkpoint, true);
        Path comfy = dir.resolve("models/models");
        byte[] seeded = Bytes.random(40_000, 202);
        write(comfy.resolve(SEEDED_CHECKPOINT), seeded);
        write(comfy.resolve("clip_vision/old").resolve(CLIP_VISION), Bytes.random(30_000, 203));
        write(comfy.resolve("clip_vision/new").resolve(CLIP_VISION), Bytes.random(31_000, 204));
        return new JsonObject().add("hub_checkpoint_sha256", FakeHub.sha256(checkpoint))
                .add("seeded_checkpoint_sha256", FakeHub.sha256(seeded));
    }

    /**
     * The library page's files, none of them downloaded: in download_dir an identified file (the
     * fake Civitai's FLUX version, found by its hash) and two copies of one checkpoint; in the
     * read-only root a LoRA and a VAE Civitai does not know.
     */
    private static JsonObject seedLibrary(Path dir, FakeCivitai civitai) throws IOException {
        Path models = dir.resolve("models");
        byte[] duplicated = Bytes.random(300_000, 301);
        write(models.resolve("lora/" + IDENTIFIED), civitai.content(FLUX_VERSION));
        write(models.resolve("checkpoint/" + DUPLICATE_A), duplicated);
        write(models.resolve("checkpoint/" + DUPLICATE_B), duplicated);
        Path comfy = dir.resolve(COMFY_ROOT);
        write(comfy.resolve("loras/mystery-lora.safetensors"), Bytes.random(20_000, 302));
        write(comfy.resolve("vae/mystery-vae.safetensors"), Bytes.random(10_000, 303));
        return new JsonObject().add("models", models.toString()).add("comfy", comfy.toString())
                .add("identified_model_id", FLUX_MODEL).add("identified_version_id", FLUX_VERSION)
                .add("duplicate_sha256", FakeHub.sha256(duplicated))
                .add("duplicate_size", duplicated.length);
    }

    private static void write(Path file, byte[] content) throws IOException {
        Files.createDirectories(file.getParent());
        Files.write(file, content);
    }

    /** The start's library scan, so a plan sees the seeded files. */
    private static void awaitScan(TestDaemon daemon, String token) {
        Poll.until(() -> {
            JsonObject status = Json.parse(daemon.send("GET", "/api/library/scan", null, token)
                    .body()).asObject();
            return !status.getBoolean("running", true) && status.get("last").isObject();
        }, () -> "the library scan to end");
    }

    private static JsonObject describe(TestDaemon daemon, FakeCivitai civitai, FakeStorage storage,
            String secret) {
        JsonObject out = new JsonObject()
                .add("base", "http://127.0.0.1:" + daemon.port() + "/")
                .add("civitai", civitai.base().toString())
                .add("dir", daemon.dir().toString());
        JsonArray big = new JsonArray();
        for (int i = 1; i <= 4; i++) {
            big.add(storage.put("big-" + i + ".safetensors", Bytes.random(BIG, 100 + i))
                    .toString());
        }
        out.add("big", big);
        if (secret != null) {
            Jwt now = new Jwt(secret, Clock.systemUTC());
            Jwt past = new Jwt(secret, Clock.offset(Clock.systemUTC(), Duration.ofHours(-3)));
            out.add("tokens", new JsonObject()
                    .add("admin", now.sign(Role.ADMIN, Duration.ofHours(1)))
                    .add("viewer", now.sign(Role.VIEWER, Duration.ofHours(1)))
                    .add("expired", past.sign(Role.ADMIN, Duration.ofHours(1))));
        }
        return out;
    }

    /** Reads commands until stdin ends, {@code quit}, or the lifetime is over. */
    private static void serve(FakeStorage storage, Duration lifetime) throws InterruptedException {
        Thread reader = Thread.ofPlatform().daemon().start(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in,
                    StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null
                        && !line.strip().equals("quit"); ) {
                    String[] words = line.strip().split("\\s+");
                    if (words.length == 2 && words[0].equals("pace")) {
                        storage.pace(Long.parseLong(words[1]));
                        System.out.println("{\"ok\":\"" + line.strip() + "\"}");
                        System.out.flush();
                    }
                }
            } catch (IOException | RuntimeException e) {
                System.err.println("e2e fixture: " + e);
            }
        });
        reader.join(lifetime);
    }

    private static void delete(Path dir) throws IOException {
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
