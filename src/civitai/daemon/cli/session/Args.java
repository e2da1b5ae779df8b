package civitai.daemon.cli.session;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A command's arguments: its positional words, options that take a value ({@code --type lora} or
 * {@code --type=lora}) and flags ({@code --json}). Only the options a command declares are
 * accepted, so a typo is a usage error rather than silently ignored.
 */
public final class Args {
    /** Options every client command takes. */
    public static final Set<String> COMMON_VALUES = Set.of("--config", "--url", "--token");
    public static final Set<String> COMMON_FLAGS = Set.of("--json");

    private final List<String> positional;
    private final Map<String, String> values;
    private final Set<String> flags;

    private Args(List<String> positional, Map<String, String> values, Set<String> flags) {
        this.positional = positional;
        this.values = values;
        this.flags = flags;
    }

    /**
     * Parses {@code words} accepting the common options plus {@code valueOptions} and
     * {@code flagOptions}.
     */
    public static Args parse(List<String> words, Set<String> valueOptions, Set<String> flagOptions)
            throws Failure {
        List<String> positional = new ArrayList<>();
        Map<String, String> values = new HashMap<>();
        Set<String> flags = new HashSet<>();
        for (int i = 0; i < words.size(); i++) {
            // -c: kept from the first CLI
            String word = words.get(i).equals("-c") ? "--config" : words.get(i);
            if (!word.startsWith("--") || word.equals("--")) {
                positional.add(word);
                continue;
            }
            int eq = word.indexOf('=');
            String name = eq < 0 ? word : word.substring(0, eq);
            if (flagOptions.contains(name) || COMMON_FLAGS.contains(name)) {
                if (eq >= 0) {
                    throw Failure.usage(name + " takes no value");
                }
                flags.add(name);
            } else if (valueOptions.contains(name) || COMMON_VALUES.contains(name)) {
                if (eq < 0 && i + 1 >= words.size()) {
                    throw Failure.usage(name + " needs a value");
                }
                values.put(name, eq >= 0 ? word.substring(eq + 1) : words.get(++i));
            } else {
                throw Failure.usage("unknown option " + name);
            }
        }
        return new Args(List.copyOf(positional), values, flags);
    }

    public String value(String option) {
        return values.get(option);
    }

    public boolean flag(String option) {
        return flags.contains(option);
    }

    public boolean json() {
        return flag("--json");
    }

    /** Exactly {@code n} positional words, or a usage error naming what was expected. */
    public List<String> positional(int n, String what) throws Failure {
        if (positional.size() != n) {
            throw Failure.usage(positional.size() < n ? "missing " + what
                    : "unexpected argument: " + positional.get(n));
        }
        return positional;
    }

    /** Every positional word, for commands that take any number of them. */
    public List<String> rest() {
        return positional;
    }

    /** A job id: a positive whole number. */
    public static long id(String text) throws Failure {
        if (!text.matches("\\d{1,18}") || Long.parseLong(text) == 0) {
            throw Failure.usage("a job id is a positive whole number, not \"" + text + "\"");
        }
        return Long.parseLong(text);
    }

    /** A whole number option within bounds, or a usage error naming the option. */
    public Integer integer(String option, int min, int max) throws Failure {
        String text = values.get(option);
        if (text == null) {
            return null;
        }
        try {
            int n = Integer.parseInt(text);
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw Failure.usage(option + " must be a whole number from " + min + " to " + max + ", not "
                + text);
    }
}
