package io.github.siodistributor.core.socketio;

/** Byte-level facts about JSON text that the packet reader and writer share. */
final class JsonText {

    private JsonText() {
    }

    /** JSON's four whitespace characters. */
    static boolean isWhitespace(byte b) {
        return b == ' ' || b == '\t' || b == '\n' || b == '\r';
    }

    static int skipWhitespace(byte[] bytes, int from, int to) {
        int i = from;
        while (i < to && isWhitespace(bytes[i])) {
            i++;
        }
        return i;
    }

    /** Where the text ends once whitespace at its end is left out: {@code to}, or before the trailing whitespace. */
    static int trimEnd(byte[] bytes, int from, int to) {
        int end = to;
        while (end > from && isWhitespace(bytes[end - 1])) {
            end--;
        }
        return end;
    }
}
