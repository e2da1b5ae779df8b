package civitai.daemon.download;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The rules for one path segment (a {@code model_type} or a {@code filename}): a plain name that
 * stays in its folder on Linux, macOS and Windows alike. Pure functions.
 */
public final class SafeName {
    private static final int MAX_BYTES = 255;
    private static final Set<String> WINDOWS_RESERVED = Set.of("CON", "PRN", "AUX", "NUL",
            "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8", "COM9",
            "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9");
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
            return Optional.of("contains a forbidden character (" + describe(m.group().charAt(0))
                    + "): it must be a plain name, not a path");
        }
        if (name.endsWith(".") || name.endsWith(" ") || name.startsWith(" ")) {
            return Optional.of("starts or ends with a space or ends with a dot");
        }
        String stem = name.contains(".") ? name.substring(0, name.indexOf('.')) : name;
        if (WINDOWS_RESERVED.contains(stem.toUpperCase(Locale.ROOT))) {
            return Optional.of("is a reserved device name on Windows (" + stem + ")");
        }
        if (name.toLowerCase(Locale.ROOT).endsWith(".part")) {
            return Optional.of("ends with .part, the suffix of unfinished downloads");
        }
        if (name.getBytes(StandardCharsets.UTF_8).length > MAX_BYTES) {
            return Optional.of("is longer than " + MAX_BYTES + " bytes");
        }
        return Optional.empty();
    }

    /**
     * Turns a name a server sent (Content-Disposition) into a safe segment where it can: only its
     * last path component is kept and forbidden characters become '_'. Empty when nothing usable is
     * left.
     */
    public static Optional<String> sanitise(String serverName) {
        if (serverName == null) {
            return Optional.empty();
        }
        String base = serverName.substring(Math.max(serverName.lastIndexOf('/'), serverName.lastIndexOf('\\')) + 1);
        String cleaned = FORBIDDEN.matcher(base).replaceAll("_").strip();
        while (cleaned.endsWith(".")) {
            cleaned = cleaned.substring(0, cleaned.length() - 1);
        }
        return problem(cleaned).isEmpty() ? Optional.of(cleaned) : Optional.empty();
    }

    private static String describe(char c) {
        return c < 0x20 || c == 0x7f ? String.format("control character U+%04X", (int) c) : "'" + c + "'";
    }
}
