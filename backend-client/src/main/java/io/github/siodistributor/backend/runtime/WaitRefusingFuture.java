package io.github.siodistributor.backend.runtime;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The result of a request: a future whose blocking reads fail at once, rather than wait out the request's
 * timeout, when a non-blocking handler makes them ({@link NonBlockingDispatch}), or the connect handler of the
 * socket whose ack it awaits ({@link ConnectingSocket}). The futures chained on it are of the same kind.
 */
final class WaitRefusingFuture<T> extends CompletableFuture<T> {

    /** The socket whose ack this waits for, or null. */
    private final String awaitedSocket;

    WaitRefusingFuture(String awaitedSocket) {
        this.awaitedSocket = awaitedSocket;
    }

    @Override
    public T get() throws InterruptedException, ExecutionException {
        refuseIfItWouldWait();
        return super.get();
    }

    @Override
    public T get(long timeout, TimeUnit unit) throws InterruptedException, ExecutionException, TimeoutException {
        refuseIfItWouldWait();
        return super.get(timeout, unit);
    }

    @Override
    public T join() {
        refuseIfItWouldWait();
        return super.join();
    }

    @Override
    public <U> CompletableFuture<U> newIncompleteFuture() {
        return new WaitRefusingFuture<>(awaitedSocket);
    }

    private void refuseIfItWouldWait() {
        if (!isDone()) {
            NonBlockingDispatch.refuseWait();
            ConnectingSocket.refuseWaitFor(awaitedSocket);
        }
    }
}
