package io.github.siodistributor.autoconfigure.failure;

/** The distributor could not reach its Redis when the application started. */
public class RedisUnreachableException extends IllegalStateException {

    private final String target;

    public RedisUnreachableException(String target, Throwable cause) {
        super("The distributor could not reach Redis at " + target + ": " + Causes.rootMessage(cause), cause);
        this.target = target;
    }

    /** Where the distributor looked for Redis ({@code host:port}, sentinel or cluster). */
    public String target() {
        return target;
    }
}
