package io.github.siodistributor.backend.runtime;

import io.github.siodistributor.backend.Ack;

/**
 * An ack that can also answer a failure the way an exception thrown by the handler is answered: for handlers
 * whose answer comes later (a returned {@code CompletionStage}) and fails there.
 */
interface FailableAck extends Ack {

    /** Answers with the error object (or, when the ack was already sent or never asked for, as an error event). */
    void fail(Throwable failure);
}
