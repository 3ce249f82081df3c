package io.github.siodistributor.backend;

/**
 * Thrown by a connect handler to refuse a client: it receives {@code connect_error} with this message
 * as {@code err.message} and {@code data} (encoded by Jackson) as {@code err.data}, and is never
 * connected. Any other exception from a connect handler refuses the client with "internal error".
 */
public class ConnectionRejectedException extends RuntimeException {

    private final transient Object data;

    public ConnectionRejectedException(String message) {
        this(message, null);
    }

    public ConnectionRejectedException(String message, Object data) {
        super(message);
        this.data = data;
    }

    /** What the client gets as {@code err.data}, or null for none. */
    public Object data() {
        return data;
    }
}
