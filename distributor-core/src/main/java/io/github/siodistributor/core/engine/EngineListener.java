package io.github.siodistributor.core.engine;

/**
 * What the Socket.IO layer hears from the Engine.IO sessions. Calls for one session come one at a
 * time, on that session's event loop.
 */
public interface EngineListener {

    void onOpen(EngineSession session);

    /** A message packet: text (without the engine type digit) or binary. */
    void onMessage(EngineSession session, Frame message);

    /** The session is closed for good, with an Engine.IO close reason such as {@code "transport close"}. */
    void onClose(EngineSession session, String reason);
}
