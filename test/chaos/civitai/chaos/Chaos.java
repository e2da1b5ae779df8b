package civitai.chaos;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;

/**
 * Entry point: {@code Chaos ci|long BUDGET_SECONDS [SEED]}. Runs each scenario in turn within its
 * share of the time budget, prints every figure as it is taken, writes build/chaos/RESULTS.md
 * and exits 1 when any check failed (0 when all held).
 */
public final class Chaos {
    /** A scenario: a name, its share of the budget, and the body that takes figures. */
    interface Scenario {
        void run(Stage stage) throws Exception;
    }

    private record Named(String name, double share, Scenario body) {}

    private Chaos() {}

    private static void clean(Path work) throws IOException {
        if (!Files.exists(work)) {
            return;
        }
        try (var paths = Files.walk(work)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    public static void main(String[] args) throws Exception {
        Mode mode = Mode.of(args[0]);
        Duration budget = Duration.ofSeconds(Long.parseLong(args[1]));
        long seed = args.length > 2 ? Long.parseLong(args[2]) : System.nanoTime() & 0xffffffffL;
        Path root = Path.of("build/chaos");
        Report report = new Report(mode, seed);
        // a run starts from nothing: rounds of an earlier run must not mix in
        clean(root.resolve("work"));
        System.out.println("chaos " + mode.name() + ": seed " + seed + " (replay: make chaos"
                + (mode.name().equals("long") ? "-long" : "") + " SEED=" + seed + "), "
                + Machine.describe());
        List<Named> scenarios = List.of(
                new Named("crash", 0.38, CrashRun::run),
                new Named("faults", 0.12, FaultRun::run),
                new Named("disk", 0.05, DiskRun::run),
                new Named("dbfull", 0.03, DatabaseFullRun::run),
                new Named("symlink", 0.02, SymlinkRun::run),
                new Named("endless", 0.02, EndlessRun::run),
                new Named("hostile", 0.25, HostileRun::run),
                new Named("soak", 0.13, SoakRun::run));
        String only = System.getenv("CHAOS_ONLY");
        for (Named s : scenarios) {
            if (only != null && !only.isBlank() && !List.of(only.split(",")).contains(s.name())) {
                continue;
            }
            System.out.println("== " + s.name());
            Duration share = Duration.ofMillis((long) (budget.toMillis() * s.share()));
            long t0 = System.nanoTime();
            try (Stage stage = new Stage(s.name(), mode, seed, report, root, share)) {
                s.body().run(stage);
                stage.info("scenario wall time (s)", (System.nanoTime() - t0) / 1_000_000_000);
            } catch (Exception | AssertionError e) {
                report.fail(s.name(), e.toString());
                e.printStackTrace(System.out);
            }
            report.write(root.resolve("RESULTS.md"));
        }
        report.write(root.resolve("RESULTS.md"));
        System.out.println("chaos " + mode.name() + ": " + (report.passed() ? "PASS" : "FAIL")
                + ", seed " + seed + ", figures in " + root.resolve("RESULTS.md"));
        System.exit(report.passed() ? 0 : 1);
    }
}
