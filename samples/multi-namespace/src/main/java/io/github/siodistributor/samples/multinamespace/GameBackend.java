package io.github.siodistributor.samples.multinamespace;

import io.github.siodistributor.backend.IndirectSocket;
import io.github.siodistributor.backend.annotation.OnEvent;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A game: players' moves are numbered in the order this backend handles them and told to every player of
 * the game. Each game is its own namespace with its own backend process ({@link GameABackend},
 * {@link GameBBackend}), so a game's state lives in one place and the games scale apart.
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
        int turn = turns.incrementAndGet();
        socket.namespace().emit("moved", new Moved(turn, move));
        return turn;
    }
}
