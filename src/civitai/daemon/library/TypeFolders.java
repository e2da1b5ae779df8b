package civitai.daemon.library;

import civitai.daemon.civitai.ModelTypes;
import civitai.daemon.target.Layout;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A file's {@code model_type} from the folders it is in, read off the layouts' own folder names
 * ({@link Layout}): {@code models/loras/x.safetensors} and {@code Lora/x.safetensors} are loras,
 * {@code checkpoint/x.ckpt} (the flat layout) a checkpoint. The root's configured layout is tried
 * first; then every layout's folders, with or without their {@code models/} prefix (a root may be
 * ComfyUI's {@code models} folder itself). Null when no folder says. Thread-safe.
 */
final class TypeFolders {
    /** One folder, as lower-case path segments, and the type it holds. */
    private record Folder(List<String> segments, String type) {}

    private final List<Folder> folders = new ArrayList<>();

    TypeFolders(Layout preferred) {
        add(preferred);
        for (Layout layout : Layout.values()) {
            add(layout);
        }
    }

    private void add(Layout layout) {
        Path base = Path.of("/");
        for (String type : ModelTypes.names()) {
            List<String> segments = segments(base.relativize(layout.folder(base, type)));
            folders.add(new Folder(segments, type));
            if (segments.size() > 1 && segments.get(0).equals("models")) {
                folders.add(new Folder(segments.subList(1, segments.size()), type));
            }
        }
    }

    /**
     * The type of the file at {@code relative} (to its root, whose own name is {@code rootName}).
     */
    String typeOf(String rootName, Path relative) {
        List<String> dirs = new ArrayList<>();
        dirs.add(rootName.toLowerCase(Locale.ROOT));
        Path parent = relative.getParent();
        if (parent != null) {
            dirs.addAll(segments(parent));
        }
        // the deepest folder that names a type wins over the root's own name
        for (int start = dirs.size() - 1; start >= 0; start--) {
            for (Folder f : folders) {
                if (matches(dirs, start, f.segments())) {
                    return f.type();
                }
            }
        }
        return null;
    }

    private static boolean matches(List<String> dirs, int start, List<String> want) {
        if (start + want.size() > dirs.size()) {
            return false;
        }
        return dirs.subList(start, start + want.size()).equals(want);
    }

    private static List<String> segments(Path p) {
        List<String> out = new ArrayList<>();
        for (Path part : p) {
            out.add(part.toString().toLowerCase(Locale.ROOT));
        }
        return out;
    }
}
