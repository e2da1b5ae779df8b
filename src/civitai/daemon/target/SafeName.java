package civitai.daemon.target;

import civitai.daemon.log.Printable;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The rules for one path segment (a {@code model_type}, or each segment of a {@code filename}): a
 * plain name that stays in its folder on Linux, macOS and Windows alike, that a person reads as it
 * is (no bidi overrides or invisible characters), and whose {@code .part} file can be created too.
 * Pure functions.
 */
public final class SafeName {
    /** File systems allow 255 bytes per name; the unfinished download adds ".part". */
    static final int MAX_BYTES = 255 - ".part".length();
    private static final Set<String> WINDOWS_RESERVED = Set.of("CON", "PRN", "AUX", "NUL",
            "CONIN$", "CONOUT$",
            "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8", "COM9",
            "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9",
            "COM\u00b9", "COM\u00b2", "COM\u00b3", "LPT\u00b9", "LPT\u00b2", "LPT\u00b3");
    private static final Pattern FORBIDDEN = Pattern.compile("[\\x00-\\x1f\\x7f/\\\\:*?\"<>|]");

    private SafeName() {}

    /** Why {@code name} is not a safe segment, or empty when it is. */
    public static Optional<String> problem(String name) {
        if (name == null || name.isEmpty()) {
            return Optional.of("is empty");
        }
        if (name.equals(".") || name.equals("..")) {
            return Optional.of("is a relative path (\"" + name + "\")");
        }
        var m = FORBIDDEN.matcher(name);
        if (m.find()) {
            return Optional.of("contains a forbidden character ("
                    + describe(m.group().codePointAt(0))
                    + "): it must be a plain name, not a path");
        }
        for (int cp : name.codePoints().toArray()) {
            if (!Printable.isPrintable(cp)) {
                return Optional.of("contains an invisible or reordering character (" + describe(cp)
                        + "): the name would not read as what it is");
            }
        }
        if (name.endsWith(".") || name.endsWith(" ") || name.startsWith(" ")) {
            return Optional.of("starts or ends with a space or ends with a dot"
                    + " (Windows drops them)");
        }
        String device = deviceName(name);
        if (device != null) {
            return Optional.of("is a reserved device name on Windows (" + device + ")");
        }
        if (name.toLowerCase(Locale.ROOT).endsWith(".part")) {
            return Optional.of("ends with .part, the suffix of unfinished downloads");
        }
        if (name.getBytes(StandardCharsets.UTF_8).length > MAX_BYTES) {
            return Optional.of("is longer than " + MAX_BYTES
                    + " bytes (255, less the \".part\" of the unfinished file)");
        }
        return Optional.empty();
    }

    /** How deep a sub-folder under a type's folder may go (ComfyUI's names use one or two). */
    static final int MAX_SEGMENTS = 8;

    /**
     * Why {@code relative} is not a path of safe segments under a type's folder
     * ({@code sd15/anime/model.safetensors}, as ComfyUI names files in sub-folders), or empty when
     * it is: '/' separates segments, and each must be a name {@link #problem} accepts.
     */
    public static Optional<String> pathProblem(String relative) {
        if (relative == null || relative.isEmpty()) {
            return Optional.of("is empty");
        }
        if (relative.startsWith("/")) {
            return Optional.of("is an absolute path (\"" + relative + "\")");
        }
        String[] segments = relative.split("/", -1);
        if (segments.length > MAX_SEGMENTS) {
            return Optional.of("has " + segments.length + " path segments; at most "
                    + MAX_SEGMENTS);
        }
        for (String segment : segments) {
            var p = problem(segment);
            if (p.isPresent()) {
                return Optional.of(segments.length == 1 ? p.get()
                        : "segment \"" + segment + "\" " + p.get());
            }
        }
        return Optional.empty();
    }

    /**
     * Turns a name a server sent (Content-Disposition) into a safe segment where it can: only its
     * last path component is kept, forbidden and invisible characters become '_', a device name
     * gets a '_' in front, and a name too long is shortened keeping its extension. Empty when
     * nothing usable is left.
     */
    public static Optional<String> sanitise(String serverName) {
        if (serverName == null) {
            return Optional.empty();
        }
        String base = serverName.substring(Math.max(serverName.lastIndexOf('/'),
                serverName.lastIndexOf('\\')) + 1);
        StringBuilder cleaned = new StringBuilder();
        for (int cp : base.codePoints().toArray()) {
            boolean bad = FORBIDDEN.matcher(Character.toString(cp)).matches()
                    || !Printable.isPrintable(cp);
            cleaned.appendCodePoint(bad ? '_' : cp);
        }
        String name = trimEnds(cleaned.toString());
        if (deviceName(name) != null) {
            name = "_" + name;
        }
        name = trimEnds(shorten(name));
        return problem(name).isEmpty() ? Optional.of(name) : Optional.empty();
    }

    /** The reserved name {@code name} stands for on Windows, or null. */
    private static String deviceName(String name) {
        // Windows ignores everything from the first dot, and trailing spaces before it
        String stem = name.contains(".") ? name.substring(0, name.indexOf('.')) : name;
        String upper = stem.stripTrailing().toUpperCase(Locale.ROOT);
        return WINDOWS_RESERVED.contains(upper) ? stem.stripTrailing() : null;
    }

    private static String trimEnds(String name) {
        String s = name.strip();
        while (s.endsWith(".") || s.endsWith(" ")) {
            s = s.substring(0, s.length() - 1);
        }
        return s;
    }

    /** Cuts the stem (never inside a character) until the name fits, keeping a short extension. */
    private static String shorten(String name) {
        if (name.getBytes(StandardCharsets.UTF_8).length <= MAX_BYTES) {
            return name;
        }
        int dot = name.lastIndexOf('.');
        String ext = dot > 0 && name.length() - dot <= 16 ? name.substring(dot) : "";
        String stem = name.substring(0, name.length() - ext.length());
        int budget = MAX_BYTES - ext.getBytes(StandardCharsets.UTF_8).length;
        StringBuilder kept = new StringBuilder();
        int used = 0;
        for (int i = 0; i < stem.length(); ) {
            int cp = stem.codePointAt(i);
            int bytes = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8).length;
            if (used + bytes > budget) {
                break;
            }
            kept.appendCodePoint(cp);
            used += bytes;
            i += Character.charCount(cp);
        }
        return kept + ext;
    }

    private static String describe(int codePoint) {
        return Printable.isPrintable(codePoint) ? "'" + Character.toString(codePoint) + "'"
                : String.format("U+%04X", codePoint);
    }
}
