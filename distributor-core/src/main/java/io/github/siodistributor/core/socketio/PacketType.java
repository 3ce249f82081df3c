package io.github.siodistributor.core.socketio;

/** Socket.IO v5 packet types, by their wire digit. */
public enum PacketType {
    CONNECT, DISCONNECT, EVENT, ACK, CONNECT_ERROR, BINARY_EVENT, BINARY_ACK;

    private static final PacketType[] BY_DIGIT = values();

    /** The type for a wire digit ({@code '0'}..{@code '6'}), or null. */
    static PacketType of(byte digit) {
        int index = digit - '0';
        return index >= 0 && index < BY_DIGIT.length ? BY_DIGIT[index] : null;
    }

    char digit() {
        return (char) ('0' + ordinal());
    }

    boolean binary() {
        return this == BINARY_EVENT || this == BINARY_ACK;
    }
}
