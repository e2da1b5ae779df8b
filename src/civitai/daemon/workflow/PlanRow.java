package civitai.daemon.workflow;

import civitai.daemon.library.index.LibraryFile;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * What the plan does about one reference, the step that decided it, and where the file goes.
 *
 * @param found the library's files the row found: the one at the target ({@code present},
 *              {@code conflict}), the copy a {@code present_elsewhere} row links to the target
 *              when chosen, or the candidates of an {@code ambiguous} name
 */
public record PlanRow(Reference reference, Decision decision, Optional<Path> target, String reason,
        List<LibraryFile> found) {

    public PlanRow {
        found = List.copyOf(found);
    }

    public PlanRow(Reference reference, Decision decision, Optional<Path> target, String reason) {
        this(reference, decision, target, reason, List.of());
    }

    /** The one file a present, conflict or present_elsewhere row found. */
    public Optional<LibraryFile> file() {
        return found.size() == 1 && decision != Decision.AMBIGUOUS ? Optional.of(found.get(0))
                : Optional.empty();
    }

    /** The decisions, each named as the plan's JSON says it. */
    public enum Decision {
        /** The file is where the workflow expects it. */
        PRESENT,
        /** A file of that name is there with another hash: never overwritten. */
        CONFLICT,
        /**
         * The library has the file under another path or name: link it, do not download it again.
         */
        PRESENT_ELSEWHERE,
        /** The workflow gives the URL. */
        DOWNLOAD,
        /** Only a hash: Civitai by hash decides. */
        LOOKUP_HASH,
        /** A name alone that several library files share. */
        AMBIGUOUS,
        /** A name alone that nothing knows. */
        NOT_FOUND,
        /** A node the loader table does not know: the user picks the type. */
        UNKNOWN_FOLDER,
        /** A name that would leave its folder. */
        REFUSED
    }
}
