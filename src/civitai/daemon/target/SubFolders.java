package civitai.daemon.target;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The sub-folders a file name keeps under its type's folder ({@code sd15/x.safetensors}, as
 * ComfyUI names files): made on demand, and never through a link that leads out of the type's
 * folder (a link planted in a shared download_dir must not carry a file elsewhere). The type
 * folder itself may be a link, and is used as given.
 */
public final class SubFolders {
    private SubFolders() {}

    /**
     * Makes {@code target}'s folder under {@code typeFolder}; empty when it is in place, else why
     * it is not safe (nothing is created then).
     */
    public static Optional<String> make(Path typeFolder, Path target) throws IOException {
        Path parent = target.getParent();
        if (parent.equals(typeFolder)) {
            return Optional.empty();
        }
        Path existing = parent;
        while (!Files.exists(existing, LinkOption.NOFOLLOW_LINKS) && !existing.equals(typeFolder)) {
            existing = existing.getParent();
        }
        Optional<String> unsafe = Optional.of("the sub-folder " + parent + " leads out of "
                + typeFolder + " (a link): move it, or name the file without it");
        Path root = typeFolder.toRealPath();
        if (Files.isSymbolicLink(existing) && !Files.exists(existing)) {
            return unsafe;  // dangling: creating through it would make a folder wherever it points
        }
        // checked before creating (nothing made through a link) and after (nothing raced in)
        if (!existing.toRealPath().startsWith(root)
                || !Files.createDirectories(parent).toRealPath().startsWith(root)) {
            return unsafe;
        }
        return Optional.empty();
    }
}
