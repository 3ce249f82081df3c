package io.github.siodistributor.autoconfigure.failure;

/** The worker could not listen on its port: another process (or another worker) has it. */
public class WorkerPortInUseException extends IllegalStateException {

    private final String host;
    private final int port;

    public WorkerPortInUseException(String host, int port, Throwable cause) {
        super("The distributor worker cannot listen on " + host + ":" + port + ": "
                + Causes.rootMessage(cause), cause);
        this.host = host;
        this.port = port;
    }

    public String host() {
        return host;
    }

    public int port() {
        return port;
    }
}
