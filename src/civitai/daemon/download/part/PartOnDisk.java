package civitai.daemon.download.part;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * What stands at a part's name, seen without opening it as a {@link PartFile}: its size, removing
 * what is not a regular file there, cutting it back to the bytes a journal trusts. Never through
 * a link ({@link LinkOption#NOFOLLOW_LINKS} on every look). Stateless.
 */
public final class PartOnDisk {
    private static final LinkOption NOFOLLOW = LinkOption.NOFOLLOW_LINKS;

    private PartOnDisk() {}

    /**
     * Removes what stands at the part's name when it is not a regular file (a link, dangling or
     * not, is removed itself, never what it points to), so the download starts from byte 0;
     * true when something was removed.
     */
    public static boolean discardUnlessRegular(Path part) throws DiskException {
        try {
            if (Files.readAttributes(part, BasicFileAttributes.class, NOFOLLOW).isRegularFile()) {
                return false;
            }
            Files.delete(part);
            return true;
        } catch (NoSuchFileException e) {
            return false;  // no part yet
        } catch (IOException e) {
            throw DiskException.of("remove what is not a file at", part, e);
        }
    }

    /** The size of the regular file at {@code file}, never through a link; 0 when there is none. */
    public static long sizeOf(Path file) {
        try {
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class, NOFOLLOW);
            return a.isRegularFile() ? a.size() : 0;
        } catch (IOException e) {
            return 0;
        }
    }

    /** Cuts the file at {@code file} back to {@code length} bytes; nothing when there is none. */
    public static void truncate(Path file, long length) throws DiskException {
        if (!Files.exists(file, NOFOLLOW)) {
            return;
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE, NOFOLLOW)) {
            if (ch.size() > length) {
                ch.truncate(length);
            }
        } catch (IOException e) {
            throw DiskException.of("write", file, e);
        }
    }
}
