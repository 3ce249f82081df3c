package io.github.siodistributor.backend.runtime;

import io.github.siodistributor.core.protocol.Message.SocketCommand;
import io.github.siodistributor.core.transport.DroppedMessages;
import io.github.siodistributor.core.transport.DroppedMessages.Cause;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends per-socket commands to the workers that own their sockets, and sends again, in order, what a worker did not
 * hear. A worker whose subscription connection was cut (Redis closed it for a full output buffer, something between
 * them ended it, the worker replaced a silent one) is subscribed again within 50–300 ms, but a PUBLISH meanwhile
 * reaches nobody and its command is gone: an emit its client never gets, a connect decision the client waits for
 * until its timeout.
 *
 * <p>A command that reached nobody (PUBLISH answered 0) starts a line for its socket: it and every later command for
 * that socket wait there, in the order they were sent, and the line's head goes out again after 100 ms, then 200,
 * 400, ... 1 s, until the worker hears it; then the rest follows in order. Lines are per socket, the unit Socket.IO
 * orders: the other sockets of the worker go on directly. A socket whose worker hears nothing for
 * {@link #GIVE_UP_AFTER} is taken for gone (its worker's lease, 5 s by default, has expired by then, and the worker
 * watch disconnects its sockets): its line is dropped and each command counted, as is a command beyond
 * {@link #MAX_HELD} waiting for one socket ({@link Cause#WORKER_UNREACHABLE}). When every worker hears, a command costs
 * a sequence number and a compare in its publish's completion.
 *
 * <p>Order: a command sent while the "nobody heard" answer of an earlier one of its socket is on its way could pass
 * it only if the worker's subscription came back between the two. A broadcast is not held behind a socket's line (its
 * PUBLISH counts the workers that heard, not which did not): after a join that waits in a line, a broadcast to the room
 * may reach the worker first, as it would have missed the socket had the join been lost. Lettuce's callbacks never
 * take a line's lock: what they start runs on this object's own thread.
 */
final class WorkerCommandLines implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(WorkerCommandLines.class);

    static final long FIRST_RETRY_MILLIS = 100;
    static final long LAST_RETRY_MILLIS = 1000;
    static final Duration GIVE_UP_AFTER = Duration.ofSeconds(10);
    static final int MAX_HELD = 1_000;

    /** Publishes a command on a worker's channel (throwing at once for one that is too large). */
    @FunctionalInterface
    interface Publisher {
        CompletableFuture<Long> publish(String worker, SocketCommand command);
    }

    /** Throws {@link io.github.siodistributor.core.transport.MessageTooLargeException} for a command too large. */
    @FunctionalInterface
    interface SizeCheck {
        void requireFits(SocketCommand command);
    }

    /** A command waiting for its worker, and who waits for Redis's answer to it (null: nobody). */
    private record Held(SocketCommand command, CompletableFuture<Long> answer) {
    }

    private final Publisher publisher;
    private final SizeCheck sizeCheck;
    private final DroppedMessages dropped;
    private final Duration giveUpAfter;
    private final AtomicLong sequence = new AtomicLong();
    /** By socket id. */
    private final Map<String, Line> lines = new ConcurrentHashMap<>();
    private final ScheduledExecutorService timer;

    WorkerCommandLines(Publisher publisher, SizeCheck sizeCheck, DroppedMessages dropped, String name) {
        this(publisher, sizeCheck, dropped, name, GIVE_UP_AFTER);
    }

    WorkerCommandLines(Publisher publisher, SizeCheck sizeCheck, DroppedMessages dropped, String name,
            Duration giveUpAfter) {
        this.publisher = publisher;
        this.sizeCheck = sizeCheck;
        this.dropped = dropped;
        this.giveUpAfter = giveUpAfter;
        this.timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, name);
            thread.setDaemon(true);
            return thread;
        });
    }

    /**
     * Publishes {@code command} to {@code worker}, or queues it behind what its socket's worker has not heard yet.
     *
     * @throws io.github.siodistributor.core.transport.MessageTooLargeException when it is too large to publish
     */
    void send(String worker, SocketCommand command) {
        send(worker, command, null);
    }

    /**
     * As {@link #send}, telling how many subscribers Redis reached once the command went out (0 when its worker was
     * given up); a command too large fails the future rather than throwing.
     */
    CompletableFuture<Long> sendAnswered(String worker, SocketCommand command) {
        CompletableFuture<Long> answer = new CompletableFuture<>();
        try {
            send(worker, command, answer);
        } catch (RuntimeException e) {
            answer.completeExceptionally(e);
        }
        return answer;
    }

    private void send(String worker, SocketCommand command, CompletableFuture<Long> answer) {
        long number = sequence.incrementAndGet();
        // while every worker hears, there is no line at all
        Line line = lines.isEmpty() ? null : lines.get(command.socketId());
        if (line != null) {
            // not published now: its size is checked here, for the caller to hear of it as from a publish
            sizeCheck.requireFits(command);
            if (line.add(number, new Held(command, answer))) {
                return;
            }
        }
        publish(worker, number, command, answer);
    }

    private void publish(String worker, long number, SocketCommand command, CompletableFuture<Long> answer) {
        publisher.publish(worker, command).whenComplete((receivers, failure) -> {
            // a failure is the bus's to count (an outage, a backlog); only "nobody heard it" is this class's
            if (failure == null && receivers == 0) {
                onThread(() -> hold(worker, number, new Held(command, answer)));
            } else if (answer != null) {
                if (failure != null) {
                    answer.completeExceptionally(failure);
                } else {
                    answer.complete(receivers);
                }
            }
        });
    }

    /** On this object's thread. */
    private void hold(String worker, long number, Held held) {
        String socket = held.command().socketId();
        while (true) {
            Line line = lines.computeIfAbsent(socket, id -> new Line(worker, id));
            if (line.add(number, held)) {
                line.retryIn(FIRST_RETRY_MILLIS);
                return;
            }
            // sent out and closed meanwhile: a new line takes it
            lines.remove(socket, line);
        }
    }

    private void onThread(Runnable task) {
        try {
            timer.execute(task);
        } catch (RejectedExecutionException closed) {
            // the backend closed: nothing is sent any more
        }
    }

    /** How many commands wait for their worker, all sockets together (for tests and diagnostics). */
    int held() {
        return lines.values().stream().mapToInt(Line::size).sum();
    }

    /** Stops sending again; what still waits is dropped and counted. */
    @Override
    public void close() {
        List<Runnable> never = timer.shutdownNow();
        if (!never.isEmpty()) {
            log.debug("{} tasks of the worker command lines not run at close", never.size());
        }
        lines.values().forEach(line -> line.giveUp("the backend closed"));
    }

    private static void answerNobody(Held held) {
        if (held.answer() != null) {
            held.answer().complete(0L);
        }
    }

    /** The commands for one socket its worker has not heard, by their sequence number. */
    private final class Line {
        private final String worker;
        private final String socket;
        private final long since = System.nanoTime();
        // guarded by this
        private final TreeMap<Long, Held> waiting = new TreeMap<>();
        private boolean closed;
        /** A retry is scheduled, or its publish waits for Redis's answer: no other may start meanwhile. */
        private boolean retrying;
        private long delay = FIRST_RETRY_MILLIS;

        Line(String worker, String socket) {
            this.worker = worker;
            this.socket = socket;
        }

        /** False when the line has gone out and closed: the caller sends the command itself. */
        synchronized boolean add(long number, Held held) {
            if (closed) {
                return false;
            }
            if (waiting.size() >= MAX_HELD) {
                dropped.record(Cause.WORKER_UNREACHABLE, worker, "already " + MAX_HELD + " commands wait for worker "
                        + worker + " to hear them for socket " + socket + ": "
                        + held.command().getClass().getSimpleName() + " dropped");
                answerNobody(held);
                return true;
            }
            waiting.put(number, held);
            return true;
        }

        synchronized int size() {
            return waiting.size();
        }

        /** Schedules the head's next try, unless one is scheduled or under way. */
        synchronized void retryIn(long millis) {
            if (!retrying && !closed) {
                retrying = true;
                try {
                    timer.schedule(this::retry, millis, TimeUnit.MILLISECONDS);
                } catch (RejectedExecutionException closing) {
                    retrying = false;
                }
            }
        }

        private void retry() {
            Map.Entry<Long, Held> head;
            synchronized (this) {
                head = waiting.firstEntry();
                if (head == null || System.nanoTime() - since > giveUpAfter.toNanos()) {
                    retrying = false;
                    giveUp("its worker heard nothing for " + giveUpAfter.toMillis() + " ms");
                    return;
                }
            }
            CompletableFuture<Long> published;
            try {
                published = publisher.publish(worker, head.getValue().command());
            } catch (RuntimeException e) {
                published = CompletableFuture.failedFuture(e);
            }
            published.whenComplete((receivers, failure) -> onThread(() -> {
                if (failure == null && receivers > 0) {
                    sendRest(head.getKey(), receivers);
                } else {
                    // nobody yet, or Redis refused it (an outage: the head is kept all the same)
                    long next;
                    synchronized (this) {
                        retrying = false;
                        delay = Math.min(delay * 2, LAST_RETRY_MILLIS);
                        next = delay;
                    }
                    retryIn(next);
                }
            }));
        }

        /** The head was heard: what waited behind it goes out in order, and later commands are sent directly. */
        private void sendRest(long head, long receivers) {
            synchronized (this) {
                retrying = false;
                Held heard = waiting.remove(head);
                if (heard != null && heard.answer() != null) {
                    heard.answer().complete(receivers);
                }
                waiting.forEach((number, held) -> {
                    try {
                        publish(worker, number, held.command(), held.answer());
                    } catch (RuntimeException e) {
                        // checked for size when queued: only a bus closing under us gets here
                        dropped.record(Cause.WORKER_UNREACHABLE, worker, held.command().getClass().getSimpleName()
                                + " for socket " + socket + " could not be sent again: " + e);
                        answerNobody(held);
                    }
                });
                waiting.clear();
                closed = true;
            }
            lines.remove(socket, this);
        }

        synchronized void giveUp(String why) {
            closed = true;
            lines.remove(socket, this);
            if (!waiting.isEmpty()) {
                dropped.record(Cause.WORKER_UNREACHABLE, worker, waiting.size() + " commands for socket " + socket
                        + " dropped: " + why, waiting.size());
                waiting.values().forEach(WorkerCommandLines::answerNobody);
                waiting.clear();
            }
        }
    }
}
