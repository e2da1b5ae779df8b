package civitai.daemon.workflow;

import civitai.daemon.target.SafeName;
import com.eclipsesource.json.JsonObject;
import com.eclipsesource.json.JsonValue;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.IntStream;

/**
 * What a user chose for a plan's rows before queueing it: which rows, a folder for a reference
 * the loader table does not place ({@code {"folder": "loras"}}), a URL for a name no source
 * knows ({@code {"url": "https://..."}}), one of an ambiguous name's library files
 * ({@code {"use": "/path"}}). Choices change the references; the plan is then made again from
 * them, so a chosen URL is checked, resolved and verified like any other. Pure.
 */
public final class PlanChoices {
    /** A choice that cannot apply; the message is for the user. */
    public static final class Invalid extends Exception {
        private static final long serialVersionUID = 1L;

        Invalid(String message) {
            super(message);
        }
    }

    private PlanChoices() {}

    /**
     * The references with each row's choice applied; {@code choices} is null or an object by row
     * index.
     */
    public static List<Reference> apply(List<Reference> refs, JsonValue choices) throws Invalid {
        List<Reference> out = new ArrayList<>(refs);
        if (choices == null || choices.isNull()) {
            return out;
        }
        if (!choices.isObject()) {
            throw new Invalid("\"choices\" must be an object by row index, such as {\"3\":"
                    + " {\"folder\": \"loras\"}}");
        }
        for (JsonObject.Member m : choices.asObject()) {
            int row = index(m.getName(), refs.size());
            if (!m.getValue().isObject()) {
                throw new Invalid("the choice for row " + row
                        + " must be an object with \"folder\" or \"url\"");
            }
            out.set(row, chosen(out.get(row), m.getValue().asObject(), row));
        }
        return out;
    }

    /** The chosen rows: every row when {@code rows} is null, else the indexes it lists. */
    public static Set<Integer> rows(JsonValue rows, int size) throws Invalid {
        if (rows == null || rows.isNull()) {
            return Set.copyOf(IntStream.range(0, size).boxed().toList());
        }
        if (!rows.isArray()) {
            throw new Invalid("\"rows\" must be a list of row indexes, such as [0, 3]");
        }
        Set<Integer> out = new TreeSet<>();
        for (JsonValue v : rows.asArray()) {
            out.add(index(v.isNumber() ? v.toString() : "", size));
        }
        return out;
    }

    /**
     * The rows with each {@code use} choice applied: an ambiguous row becomes the candidate the
     * user picked, present elsewhere (so choosing the row links that file to the target).
     */
    public static List<PlanRow> pick(List<PlanRow> rows, JsonValue choices) throws Invalid {
        List<PlanRow> out = new ArrayList<>(rows);
        if (choices == null || !choices.isObject()) {
            return out;
        }
        for (JsonObject.Member m : choices.asObject()) {
            JsonValue use = m.getValue().isObject() ? m.getValue().asObject().get("use") : null;
            if (use == null) {
                continue;
            }
            int i = index(m.getName(), rows.size());
            PlanRow row = rows.get(i);
            var picked = row.found().stream().filter(f -> f.path().equals(use.asString()))
                    .findFirst();
            if (row.decision() != PlanRow.Decision.AMBIGUOUS || picked.isEmpty()) {
                throw new Invalid("row " + i + ": \"use\" picks one of an ambiguous row's"
                        + " candidates, and " + use.asString() + " is not one");
            }
            out.set(i, new PlanRow(row.reference(), PlanRow.Decision.PRESENT_ELSEWHERE,
                    row.target(), "you chose " + picked.get().path(), List.of(picked.get())));
        }
        return out;
    }

    /**
     * The rows whose choice picks one of an ambiguous name's candidates (checked by {@link #pick}).
     */
    public static Set<Integer> picked(JsonValue choices) {
        Set<Integer> out = new TreeSet<>();
        if (choices != null && choices.isObject()) {
            for (JsonObject.Member m : choices.asObject()) {
                if (m.getValue().isObject() && m.getValue().asObject().get("use") != null) {
                    out.add(Integer.parseInt(m.getName()));  // an index pick() has accepted
                }
            }
        }
        return out;
    }

    private static Reference chosen(Reference r, JsonObject choice, int row) throws Invalid {
        Optional<String> folder = r.folder();
        Optional<String> url = r.url();
        for (JsonObject.Member m : choice) {
            String value = m.getValue().isString() ? m.getValue().asString() : null;
            switch (m.getName()) {
                case "folder" -> folder = Optional.of(folder(value, row));
                case "url" -> url = Optional.of(url(value, row));
                case "use" -> {
                    if (value == null) {
                        throw new Invalid("row " + row
                                + ": \"use\" must be the path of one of the row's candidates");
                    }
                }
                default -> throw new Invalid("row " + row
                        + ": a choice is \"folder\", \"url\" or \"use\", not \""
                        + m.getName() + "\"");
            }
        }
        return new Reference(r.node(), r.nodeClass(), r.name(), folder, url, r.hash());
    }

    private static String folder(String value, int row) throws Invalid {
        if (value == null || SafeName.problem(value).isPresent()) {
            throw new Invalid("row " + row
                    + ": \"folder\" must be a ComfyUI folder name such as \"loras\"");
        }
        return value;
    }

    private static String url(String value, int row) throws Invalid {
        try {
            URI u = new URI(value == null ? "" : value);
            if (("http".equals(u.getScheme()) || "https".equals(u.getScheme()))
                    && u.getHost() != null) {
                return value;
            }
        } catch (URISyntaxException e) {
            // reported below
        }
        throw new Invalid("row " + row + ": \"url\" must be an http(s) URL, not " + value);
    }

    private static int index(String text, int size) throws Invalid {
        try {
            int i = Integer.parseInt(text);
            if (i >= 0 && i < size) {
                return i;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new Invalid("row \"" + text + "\" is not in the plan (rows 0 to " + (size - 1) + ")");
    }
}
