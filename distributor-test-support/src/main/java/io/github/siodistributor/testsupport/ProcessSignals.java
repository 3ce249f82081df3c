package io.github.siodistributor.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.TimeUnit;

/**
 * Sends a signal to a process with {@code kill(1)}, for failure tests: {@code STOP} pauses it where it is (its
 * connections stay open and nothing answers, as in a long GC pause or a suspended VM), {@code CONT} lets it go on.
 */
public final class ProcessSignals {

    private ProcessSignals() {
    }

    /**
     * @param signal the signal's name without {@code SIG}, e.g. {@code "STOP"}
     * @param what the process as a failure message names it
     * @throws IllegalStateException when {@code kill} fails or takes longer than 10 s
     */
    public static void send(long pid, String signal, String what) {
        kill(signal, String.valueOf(pid), what);
    }

    /**
     * Signals every process of the process group {@code groupLeader} leads, as a terminal's Ctrl+C does ({@code INT})
     * to its foreground group.
     */
    public static void sendToGroup(long groupLeader, String signal, String what) {
        kill(signal, "-" + groupLeader, what);
    }

    private static void kill(String signal, String target, String what) {
        try {
            Process kill = new ProcessBuilder("kill", "-" + signal, "--", target).inheritIO().start();
            if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
                throw new IllegalStateException("kill -" + signal + " -- " + target + " failed for " + what);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not signal " + what, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while signalling " + what, e);
        }
    }
}
