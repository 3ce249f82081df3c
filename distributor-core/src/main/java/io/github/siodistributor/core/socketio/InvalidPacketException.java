package io.github.siodistributor.core.socketio;

/** A client sent something that is not a valid Socket.IO packet; the connection is closed for it. */
public class InvalidPacketException extends Exception {

    public InvalidPacketException(String message) {
        super(message);
    }
}
