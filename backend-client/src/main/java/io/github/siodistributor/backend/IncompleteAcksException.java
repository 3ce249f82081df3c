package io.github.siodistributor.backend;

import java.util.List;

/**
 * Not every expected acknowledgement of a broadcast or a server-side emit came: the timeout passed, or
 * some receiver can no longer answer. Carries the answers that did come.
 */
public class IncompleteAcksException extends SocketAckException {

    private final transient List<SocketArgs> responses;
    private final int expected;
    private final boolean timedOut;

    public IncompleteAcksException(String message, List<SocketArgs> responses, int expected, boolean timedOut) {
        super(message);
        this.responses = List.copyOf(responses);
        this.expected = expected;
        this.timedOut = timedOut;
    }

    /** The answers that came, in the order they arrived. */
    public List<SocketArgs> responses() {
        return responses;
    }

    /**
     * How many answers were expected: clients of a broadcast, other backend instances of a server-side emit;
     * -1 when that was not known before the timeout.
     */
    public int expected() {
        return expected;
    }

    /** True when the timeout passed, false when some receiver could not answer. */
    public boolean timedOut() {
        return timedOut;
    }
}
