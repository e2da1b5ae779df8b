package civitai.daemon.workflow;

import civitai.daemon.library.index.LibraryFile;
import civitai.daemon.target.Layout;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The plan's first steps for each reference, against what the library knows: present (by path,
 * and hash when one is given), conflict, present elsewhere (by hash, or by a name that only one
 * file has), then what is left for the sources (a URL, a hash) or the user (ambiguous, not found).
 */
public final class LibraryMatch {
    private final Collection<LibraryFile> library;
    private final Layout layout;
    private final Path downloadDir;

    public LibraryMatch(Collection<LibraryFile> library, Layout layout, Path downloadDir) {
        this.library = library;
        this.layout = layout;
        this.downloadDir = downloadDir;
    }

    public List<PlanRow> plan(List<Reference> refs) {
        return refs.stream().map(this::row).toList();
    }

    PlanRow row(Reference r) {
        Optional<String> problem = r.problem();
        if (problem.isPresent()) {
            return new PlanRow(r, PlanRow.Decision.REFUSED, Optional.empty(), problem.get());
        }
        Optional<String> type = ModelTypes.of(r.folder());
        if (type.isEmpty()) {
            return new PlanRow(r, PlanRow.Decision.UNKNOWN_FOLDER, Optional.empty(),
                    "node " + r.nodeClass() + " is not in the loader table: pick the model type");
        }
        Path target = layout.folder(downloadDir, type.get()).resolve(r.name().replace('\\', '/'));
        return decide(r, target);
    }

    private PlanRow decide(Reference r, Path target) {
        Optional<String> hash = r.hash().map(h -> h.toLowerCase(Locale.ROOT));
        var here = library.stream().filter(f -> Path.of(f.path()).equals(target)).findFirst();
        if (here.isPresent()) {
            if (hash.isPresent() && here.get().sha256() != null
                    && !matches(here.get(), hash.get())) {
                return found(r, PlanRow.Decision.CONFLICT, target,
                        "a file of that name has another hash", here.get());
            }
            return found(r, PlanRow.Decision.PRESENT, target, "in the library at the target path",
                    here.get());
        }
        if (hash.isPresent()) {
            var same = library.stream().filter(f -> matches(f, hash.get())).toList();
            if (!same.isEmpty()) {
                // A1111 names a model without its extension: the copy's extension makes it a
                // file name
                Path named = r.namesAFile() ? target
                        : target.resolveSibling(target.getFileName() + extension(same.get(0)));
                var atTarget = same.stream().filter(f -> Path.of(f.path()).equals(named))
                        .findFirst();
                if (atTarget.isPresent()) {
                    return found(r, PlanRow.Decision.PRESENT, named,
                            "in the library at the target path", atTarget.get());
                }
                return elsewhere(r, named, "same hash at ", same.get(0));
            }
        }
        if (r.url().isPresent()) {
            return row(r, PlanRow.Decision.DOWNLOAD, target, "the workflow gives the URL");
        }
        if (hash.isPresent()) {
            return row(r, PlanRow.Decision.LOOKUP_HASH, target, "a hash only: Civitai by hash");
        }
        return byName(r, target);
    }

    private PlanRow byName(Reference r, Path target) {
        String base = target.getFileName().toString();
        var named = library.stream().filter(f -> f.name().equals(base)).toList();
        if (named.size() == 1) {
            return elsewhere(r, target, "same name at ", named.get(0));
        }
        if (named.size() > 1) {
            return new PlanRow(r, PlanRow.Decision.AMBIGUOUS, Optional.of(target), named.size()
                    + " library files have that name: choose one, or give the row a URL", named);
        }
        return row(r, PlanRow.Decision.NOT_FOUND, target,
                "a name alone, and no library file has it");
    }

    private static String extension(LibraryFile f) {
        String name = Path.of(f.path()).getFileName().toString();
        return name.lastIndexOf('.') > 0 ? name.substring(name.lastIndexOf('.')) : "";
    }

    /** A full SHA-256, or AutoV2 (its first 10 hex), as A1111 writes it. */
    private static boolean matches(LibraryFile f, String hash) {
        return f.sha256() != null && (f.sha256().equalsIgnoreCase(hash)
                || (hash.length() >= 8 && hash.length() < 64
                        && f.sha256().toLowerCase(Locale.ROOT).startsWith(hash)));
    }

    private static PlanRow elsewhere(Reference r, Path target, String how, LibraryFile file) {
        return found(r, PlanRow.Decision.PRESENT_ELSEWHERE, target, how + file.path()
                + ": choose this row to link it there", file);
    }

    private static PlanRow found(Reference r, PlanRow.Decision d, Path target, String reason,
            LibraryFile file) {
        return new PlanRow(r, d, Optional.of(target), reason, List.of(file));
    }

    private static PlanRow row(Reference r, PlanRow.Decision d, Path target, String reason) {
        return new PlanRow(r, d, Optional.of(target), reason);
    }
}
