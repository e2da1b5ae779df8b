package civitai.daemon.notify;

/**
 * Telegram's MarkdownV2 escaping: outside entities, each of {@code _*[]()~`>#+-=|{}.!} and the
 * backslash itself must be preceded by a backslash, or Telegram refuses the whole message.
 */
final class MarkdownV2 {
    private static final String SPECIAL = "_*[]()~`>#+-=|{}.!\\";

    private MarkdownV2() {}

    static String escape(String text) {
        StringBuilder b = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (SPECIAL.indexOf(c) >= 0) {
                b.append('\\');
            }
            b.append(c);
        }
        return b.toString();
    }

    /** {@code *text*}: bold, with the text escaped. */
    static String bold(String text) {
        return "*" + escape(text) + "*";
    }
}
