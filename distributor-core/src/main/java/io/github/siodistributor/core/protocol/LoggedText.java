package io.github.siodistributor.core.protocol;

/**
 * Text from a client or a message (an event or namespace name, a drop's detail) as it may go into a log line:
 * control characters escaped, so that a name with a line feed cannot write a line of its own into the log, and cut
 * at {@link #MAX_CHARS}, since the text is as large as the client made it. Escapes when the logger prints it, not
 * before: a DEBUG line that is off costs no escaping.
 */
public record LoggedText(CharSequence raw) {

    /** Characters logged; the rest is counted, not shown. */
    public static final int MAX_CHARS = 500;

    public static LoggedText of(CharSequence raw) {
        return new LoggedText(raw);
    }

    @Override
    public String toString() {
        if (raw == null) {
            return "null";
        }
        int shown = Math.min(raw.length(), MAX_CHARS);
        StringBuilder text = new StringBuilder(shown + 16);
        for (int i = 0; i < shown; i++) {
            char c = raw.charAt(i);
            switch (c) {
                case '\n' -> text.append("\\n");
                case '\r' -> text.append("\\r");
                case '\t' -> text.append("\\t");
                // doubled, so that a name holding a backslash and an n cannot pass for an escaped line feed
                case '\\' -> text.append("\\\\");
                default -> {
                    // C0 and C1 controls, DEL, the Unicode line and paragraph separators (they end lines too), and the
                    // bidirectional controls (they can show a line's text in another order than it has)
                    if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029' || c == '\u200e' || c == '\u200f'
                            || (c >= '\u202a' && c <= '\u202e') || (c >= '\u2066' && c <= '\u2069')) {
                        text.append(String.format("\\u%04x", (int) c));
                    } else {
                        text.append(c);
                    }
                }
            }
        }
        if (raw.length() > MAX_CHARS) {
            text.append("... (").append(raw.length()).append(" characters)");
        }
        return text.toString();
    }
}
