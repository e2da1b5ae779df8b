package civitai.daemon.download.part;

import java.nio.file.Path;
import java.util.Optional;

/**
 * Where a verified copy of a file with a given SHA-256 already is on this machine. The engine asks
 * before it fetches a byte; the root wires the library's index in, so the engine never imports it.
 */
@FunctionalInterface
public interface LocalCopies {
    /** No copies known: every job downloads. */
    public LocalCopies NONE = sha256 -> Optional.empty();

    /** A present file whose content has this SHA-256 (lowercase or not), if one is known. */
    public Optional<Path> find(String sha256);
}
