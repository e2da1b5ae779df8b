package civitai.chaos;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The figures of one run, in the order they were taken, each with the check it answers; printed
 * as a table and written to RESULTS.md with the machine and the seed. Thread-safe.
 */
final class Report {
    /**
     * One figure: {@code ok} is null for a figure that only informs; a {@code goal} is a target
     * whose miss is marked but does not fail the run (a figure to improve, not a broken promise).
     */
    record Figure(String scenario, String name, String value, String target, Boolean ok,
            boolean goal) {
        Figure(String scenario, String name, String value, String target, Boolean ok) {
            this(scenario, name, value, target, ok, false);
        }

        String mark() {
            return ok == null ? "" : ok ? "ok" : goal ? "MISSED (goal)" : "FAIL";
        }
    }

    private final List<Figure> figures = new ArrayList<>();
    private final List<String> findings = new ArrayList<>();
    private final Mode mode;
    private final long seed;
    private final Instant started = Instant.now();

    Report(Mode mode, long seed) {
        this.mode = mode;
        this.seed = seed;
    }

    synchronized void info(String scenario, String name, Object value) {
        add(new Figure(scenario, name, String.valueOf(value), "", null));
    }

    synchronized void check(String scenario, String name, Object value, String target, boolean ok) {
        add(new Figure(scenario, name, String.valueOf(value), target, ok));
    }

    synchronized void goal(String scenario, String name, Object value, String target, boolean met) {
        add(new Figure(scenario, name, String.valueOf(value), target, met, true));
    }

    /** Something that went wrong outside a figure (a scenario that threw, a timeout). */
    synchronized void fail(String scenario, String what) {
        findings.add(scenario + ": " + what);
        System.out.println("  FAIL " + scenario + ": " + what);
    }

    private void add(Figure f) {
        figures.add(f);
        System.out.printf("  %-9s %-52s %-16s %s%n", f.scenario(), f.name(), f.value(),
                f.ok() == null ? "" : f.mark() + " " + f.target());
    }

    synchronized boolean passed() {
        return findings.isEmpty() && figures.stream()
                .allMatch(f -> f.ok() == null || f.ok() || f.goal());
    }

    synchronized void write(Path file) throws IOException {
        StringBuilder md = new StringBuilder();
        md.append("# make chaos").append(mode.name().equals("long") ? "-long" : "")
                .append(": results\n\n");
        md.append("- started: ").append(started).append(", ended: ").append(Instant.now())
                .append('\n');
        md.append("- mode: ").append(mode).append('\n');
        md.append("- seed: ").append(seed).append(" (replay: `make chaos")
                .append(mode.name().equals("long") ? "-long" : "")
                .append(" SEED=").append(seed).append("`)\n");
        md.append("- machine: ").append(Machine.describe()).append("\n");
        md.append("- verdict: ").append(passed() ? "PASS" : "FAIL").append("\n\n");
        md.append("| scenario | figure | value | target | |\n|---|---|---|---|---|\n");
        for (Figure f : figures) {
            md.append("| ").append(f.scenario()).append(" | ").append(f.name().replace("|", "\\|"))
                    .append(" | ").append(f.value().replace("|", "\\|")).append(" | ")
                    .append(f.target().replace("|", "\\|")).append(" | ")
                    .append(f.ok() == null || f.ok() ? f.mark() : "**" + f.mark() + "**")
                    .append(" |\n");
        }
        if (!findings.isEmpty()) {
            md.append("\n## Failures\n\n");
            findings.forEach(s -> md.append("- ").append(s.replace("\n", " ")).append('\n'));
        }
        Files.createDirectories(file.getParent());
        Files.writeString(file, md.toString());
    }
}
