package civitai.chaos;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * tmpfs and read-only bind mounts for the disk runs (root only); each mount is recorded in
 * build/chaos/mounts so the script's trap unmounts it if the run dies first.
 */
final class Mounts {
    private Mounts() {}

    static boolean tmpfs(Stage stage, Path at, String size, boolean readOnly) throws IOException {
        return mount(stage, at, List.of("mount", "-t", "tmpfs", "-o",
                (readOnly ? "ro," : "") + "size=" + size, "tmpfs", at.toAbsolutePath().toString()));
    }

    /** Makes {@code at} read-only in place (a bind mount of itself, remounted ro). */
    static boolean readOnlyBind(Stage stage, Path at) throws IOException {
        String p = at.toAbsolutePath().toString();
        return mount(stage, at, List.of("mount", "--bind", p, p))
                && (exec(List.of("mount", "-o", "remount,bind,ro", p)) || !unmount(stage, at));
    }

    static boolean remount(Path at, String size) {
        return exec(List.of("mount", "-o", "remount,size=" + size, at.toAbsolutePath().toString()));
    }

    static boolean unmount(Stage stage, Path at) {
        return exec(List.of("umount", at.toAbsolutePath().toString()));
    }

    private static boolean mount(Stage stage, Path at, List<String> command) throws IOException {
        if (!exec(command)) {
            return false;
        }
        DiskRun.append(Path.of("build/chaos/mounts"), at.toAbsolutePath().toString());
        return true;
    }

    private static boolean exec(List<String> command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return false;
            }
            return p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
