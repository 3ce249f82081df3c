package io.github.siodistributor.core.protocol;

/**
 * Finds the one kind of Java string that UTF-8 cannot carry: a surrogate without its other half. JSON's
 * {@code "\ud800"} escape makes one, and Java's encoder writes each as {@code ?}, so two different names (room
 * names, event names) would become one on the wire. Envelopes refuse them in names, and replace them in free text.
 */
public final class LoneSurrogates {

    private LoneSurrogates() {
    }

    /** The index of the first surrogate that is not part of a pair, or -1 when there is none. */
    public static int indexIn(String value) {
        return indexIn(value, 0);
    }

    private static int indexIn(CharSequence value, int from) {
        for (int i = from; i < value.length(); i++) {
            char c = value.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < value.length()
                    && Character.isLowSurrogate(value.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return i;
            }
        }
        return -1;
    }

    /**
     * {@code value}, when it has no lone surrogate.
     *
     * @throws IllegalArgumentException naming {@code what} and where the lone surrogate is
     */
    public static String requireNone(String what, String value) {
        int index = indexIn(value);
        if (index >= 0) {
            throw new IllegalArgumentException(problem(what, value, index));
        }
        return value;
    }

    /** {@code value} with each lone surrogate replaced by U+FFFD; the same string when it has none. */
    public static String replaced(String value) {
        int index = indexIn(value);
        if (index < 0) {
            return value;
        }
        StringBuilder text = new StringBuilder(value);
        // a replacement pairs with nothing, so what follows it is judged as before
        for (; index >= 0; index = indexIn(text, index + 1)) {
            text.setCharAt(index, '\uFFFD');
        }
        return text.toString();
    }

    /** Why {@code value}, which has a lone surrogate at {@code index}, cannot be sent. */
    public static String problem(String what, String value, int index) {
        String shown = value.length() <= 64 ? value : value.substring(0, 64) + "...";
        StringBuilder escaped = new StringBuilder();
        shown.codePoints().forEach(cp -> {
            if (cp < 0x20 || (cp >= Character.MIN_SURROGATE && cp <= Character.MAX_SURROGATE)) {
                escaped.append(String.format("\\u%04X", cp));
            } else {
                escaped.appendCodePoint(cp);
            }
        });
        return what + " \"" + escaped + "\" is not valid Unicode: a lone surrogate (\\u"
                + String.format("%04X", (int) value.charAt(index)) + " at index " + index
                + ") cannot be written as UTF-8";
    }
}
