package io.github.siodistributor.samples.multinamespace;

import io.github.siodistributor.backend.IndirectSocket;
import io.github.siodistributor.backend.annotation.OnEvent;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A game: players' moves are numbered in the order this backend handles them and told to every player of
 * the game. Each game is its own namespace with its own backend process ({@link GameABackend},
 * {@link GameBBackend}), so a game's state lives in one place and the games scale apart.
 *
 * <p>That place is this process's memory: run exactly one instance of a game's backend. A second instance, or
 * one that takes the players over after this one died, would number the moves apart, from 1. A game that must
 * scale out or survive its process keeps its state in Redis ({@code INCR} for the turn), as the chat sample keeps
 * its members with the sockets.
 */
public abstract class GameBackend extends NamespaceBackend {

    /** A move as every player of the game sees it. */
    public record Moved(int turn, String move) {
    }

    private final AtomicInteger turns = new AtomicInteger();

    protected GameBackend(BackendProcess process) {
        super(process);
    }

    /** Returns the move's turn number. */
    @OnEvent("move")
    public int move(IndirectSocket socket, String move) {
        // players' moves run in parallel (each socket in order): numbered and published together, so that every
        // player sees them in turn order
        synchronized (turns) {
            int turn = turns.incrementAndGet();
            socket.namespace().emit("moved", new Moved(turn, move));
            return turn;
        }
    }
}
