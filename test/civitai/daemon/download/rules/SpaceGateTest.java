package civitai.daemon.download.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Whether a job of a known size may start, and what a person is told when it may not. */
class SpaceGateTest {
    private static final long GIB = 1L << 30;
    private static final Path FOLDER = Path.of("/models/checkpoints");

    /** A file system of {@code total} bytes with {@code usable} of them free. */
    private static SpaceGate.Probe disk(long usable, long total) {
        return new SpaceGate.Probe() {
            @Override
            public long usable(Path folder) {
                return usable;
            }

            @Override
            public long total(Path folder) {
                return total;
            }

            @Override
            public Object fileSystem(Path folder) {
                return "one";
            }
        };
    }

    @Test
    void aJobThatFits_starts() {
        var gate = new SpaceGate(disk(10 * GIB, 100 * GIB), total -> 2 * GIB);
        assertEquals(new SpaceGate.Verdict.Fits(), gate.check(FOLDER, 7 * GIB, 0));
    }

    @Test
    void aJobThatWouldEatTheKeptFreeSpace_waits_sayingSizesAPersonReads() {
        var gate = new SpaceGate(disk(8 * GIB, 100 * GIB), total -> 2 * GIB);
        assertEquals(new SpaceGate.Verdict.Wait("waiting for space: needs 7.0 GiB (7516192768"
                + " bytes) and 2.0 GiB kept free (min_free_space), 6.5 GiB free after running"
                + " downloads (1.5 GiB still to come)"), gate.check(FOLDER, 7 * GIB, 3 * GIB / 2));
    }

    @Test
    void aJobLargerThanTheFileSystem_neverFits() {
        var gate = new SpaceGate(disk(GIB, 4 * GIB), total -> 0);
        assertEquals(new SpaceGate.Verdict.TooBig("needs 7.0 GiB (7516192768 bytes) but the"
                + " file system at " + FOLDER + " holds 4.0 GiB in all"),
                gate.check(FOLDER, 7 * GIB, 0));
    }
}
