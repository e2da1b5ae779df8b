package civitai.chaos;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * The daemon's resources at one moment: heap used after a full GC (jcmd GC.heap_info after
 * GC.run), resident set (VmRSS) and its peak (VmHWM), open file descriptors and threads.
 */
record Snapshot(long heapUsedKib, long rssKib, long peakRssKib, long fds, long threads) {
    static final String HEADER = "heap after GC KiB / RSS KiB / peak RSS KiB / fds / threads";

    static Snapshot of(long pid) {
        return new Snapshot(heapAfterGc(pid), status(pid, "VmRSS:"), status(pid, "VmHWM:"),
                fds(pid), status(pid, "Threads:"));
    }

    @Override
    public String toString() {
        return heapUsedKib + " / " + rssKib + " / " + peakRssKib + " / " + fds + " / " + threads;
    }

    private static long status(long pid, String key) {
        try {
            return Files.readAllLines(Path.of("/proc/" + pid + "/status")).stream()
                    .filter(l -> l.startsWith(key))
                    .mapToLong(l -> Long.parseLong(l.replaceAll("\\D", ""))).findFirst().orElse(-1);
        } catch (IOException e) {
            return -1;
        }
    }

    private static long fds(long pid) {
        try (var s = Files.list(Path.of("/proc/" + pid + "/fd"))) {
            return s.count();
        } catch (IOException e) {
            return -1;
        }
    }

    /** "used NK" of the heap after a full collection, from jcmd beside the running java. */
    private static long heapAfterGc(long pid) {
        String jcmd = Path.of(System.getenv().getOrDefault("JAVA_BIN", "java"))
                .resolveSibling("jcmd").toString();
        jcmd(jcmd, pid, "GC.run");
        String info = jcmd(jcmd, pid, "GC.heap_info");
        var m = Pattern.compile("(?m)^\\S+\\s+total \\d+K, used (\\d+)K").matcher(info);
        long used = -1;
        while (m.find()) {  // young and old generation (SerialGC); the metaspace lines are not heap
            used = Math.max(0, used) + Long.parseLong(m.group(1));
        }
        return used;
    }

    private static String jcmd(String jcmd, long pid, String command) {
        try {
            Process p = new ProcessBuilder(jcmd, Long.toString(pid), command)
                    .redirectErrorStream(true).start();
            byte[] out = p.getInputStream().readAllBytes();
            p.waitFor(30, TimeUnit.SECONDS);
            return new String(out, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }
}
