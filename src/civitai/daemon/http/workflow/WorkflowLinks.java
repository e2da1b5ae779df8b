package civitai.daemon.http.workflow;

import civitai.daemon.download.part.DiskException;
import civitai.daemon.download.part.LibraryReuse;
import civitai.daemon.library.Library;
import civitai.daemon.library.index.LibraryFile;
import civitai.daemon.target.SubFolders;
import civitai.daemon.workflow.ModelTypes;
import civitai.daemon.workflow.PlanRow;
import com.eclipsesource.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.function.Function;

/**
 * A {@code present_elsewhere} row the user chose: the library's copy placed at the row's target,
 * as a job is satisfied from the library (a hard link on one file system, else a copy hashed as
 * it is written), so the workflow finds its file where it looks and nothing is downloaded again.
 * Never over a file at the target; the placed file enters the library without a second hash.
 */
public final class WorkflowLinks {
    private final LibraryReuse reuse;
    private final Library library;
    private final Function<String, Path> typeFolder;

    public WorkflowLinks(LibraryReuse reuse, Library library, Function<String, Path> typeFolder) {
        this.reuse = reuse;
        this.library = library;
        this.typeFolder = typeFolder;
    }

    /** The row's answer: {@code linked} with the source, or {@code failed} with the reason. */
    public JsonObject link(PlanRow row) {
        Path target = row.target().orElseThrow();
        LibraryFile file = row.file().orElseThrow();
        if (file.sha256() == null) {
            return failed("the library has not hashed " + file.path()
                    + " yet: scan it, then choose the row again");
        }
        try {
            Path folder = typeFolder.apply(ModelTypes.of(row.reference().folder()).orElseThrow());
            Files.createDirectories(folder);  // a fresh download_dir has no type folders yet
            var unsafe = SubFolders.make(folder, target);
            if (unsafe.isPresent()) {
                return failed(unsafe.get());
            }
            if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
                return failed("a file is at " + target + " already: it is never replaced");
            }
            var placed = reuse.place(file.sha256(), file.size(), target);
            if (placed.isEmpty()) {
                return failed("cannot place " + file.path() + " at " + target + " (library_reuse is"
                        + " off, or the file changed since it was hashed: scan the library)");
            }
            library.verified(target, placed.get().sha256());
            return new JsonObject().add("result", "linked")
                    .add("from", placed.get().source().toString()).add("verified", true);
        } catch (DiskException e) {
            return failed(e.getMessage());
        } catch (IOException e) {
            return failed("cannot make the folder of " + target + ": " + e.getMessage());
        }
    }

    private static JsonObject failed(String reason) {
        return new JsonObject().add("result", "failed").add("reason", reason);
    }
}
