package civitai.chaos;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** The machine a run happened on (cores, memory, CPU model, kernel), for RESULTS.md. */
final class Machine {
    private Machine() {}

    static String describe() {
        return Runtime.getRuntime().availableProcessors() + " cores (nproc), " + memory() + ", CPU "
                + cpu() + ", kernel " + System.getProperty("os.version") + ", JDK "
                + System.getProperty("java.version");
    }

    private static String memory() {
        return line(Path.of("/proc/meminfo"), "MemTotal:").map(l -> {
            long kib = Long.parseLong(l.replaceAll("\\D", ""));
            return (kib >> 20) + " GiB RAM";
        }).orElse("RAM unknown");
    }

    private static String cpu() {
        return line(Path.of("/proc/cpuinfo"), "model name")
                .map(l -> l.substring(l.indexOf(':') + 1).strip()).orElse("unknown");
    }

    private static Optional<String> line(Path file, String prefix) {
        try {
            return Files.readAllLines(file).stream().filter(l -> l.startsWith(prefix)).findFirst();
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
