package io.github.siodistributor.core.transport;

import io.github.siodistributor.core.protocol.Message.Custom;

/**
 * Receives the application's custom messages of one topic ({@link CustomMessages}). As a bean in a
 * Spring Boot application it is subscribed automatically, in whichever role the application runs.
 * Called on the Redis delivery thread: hand anything slow to an executor.
 */
public interface CustomMessageListener {

    /** The topic to receive. */
    String topic();

    void onMessage(Custom message);
}
