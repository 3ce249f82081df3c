package io.github.siodistributor.backend.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.github.siodistributor.core.protocol.Message.EmitToSocket;
import io.github.siodistributor.core.protocol.Message.SocketCommand;
import io.github.siodistributor.core.protocol.Payload;
import io.github.siodistributor.core.transport.DroppedMessages;
import io.github.siodistributor.core.transport.DroppedMessages.Cause;
import io.github.siodistributor.core.transport.MessageTooLargeException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Commands to a worker that is not subscribed for a moment: kept in the order they were sent and sent again until it
 * hears them, on a fake bus whose worker subscribes and unsubscribes at the test's word.
 */
class WorkerCommandLinesTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    /** A worker's channel: what it heard, and whether it listens now (the publish's answer says). */
    private static final class FakeWorker {
        final List<Integer> heard = new CopyOnWriteArrayList<>();
        final List<Integer> published = new CopyOnWriteArrayList<>();
        volatile boolean subscribed = true;
        /** Answers held back by the test (null: answer at once). */
        volatile List<Runnable> heldAnswers;

        CompletableFuture<Long> publish(String worker, SocketCommand command) {
            int number = number(command);
            published.add(number);
            boolean listening = subscribed;
            if (listening) {
                heard.add(number);
            }
            CompletableFuture<Long> answer = new CompletableFuture<>();
            List<Runnable> held = heldAnswers;
            if (held != null) {
                held.add(() -> answer.complete(listening ? 1L : 0L));
            } else {
                answer.complete(listening ? 1L : 0L);
            }
            return answer;
        }
    }

    private final FakeWorker worker = new FakeWorker();
    private final DroppedMessages dropped = new DroppedMessages();
    /** Commands named "big..." are too large to publish, as the bus would refuse them. */
    private static void requireFits(SocketCommand command) {
        if (((EmitToSocket) command).event().startsWith("big")) {
            throw new MessageTooLargeException("EmitToSocket", 2, 1);
        }
    }

    private WorkerCommandLines lines = new WorkerCommandLines(worker::publish, WorkerCommandLinesTest::requireFits,
            dropped, "test-lines");

    @AfterEach
    void close() {
        lines.close();
    }

    private static EmitToSocket command(int number) {
        return new EmitToSocket("/chat", "w1.run00001abcdefghijkl", "n" + number, Payload.empty());
    }

    private static int number(SocketCommand command) {
        String event = ((EmitToSocket) command).event();
        return Integer.parseInt(event.substring(event.startsWith("big") ? 3 : 1));
    }

    private void send(int from, int to) {
        IntStream.rangeClosed(from, to).forEach(i -> lines.send("w1", command(i)));
    }

    @Test
    void whatAWorkerHearsGoesOnceAndNothingIsHeld() {
        send(1, 100);
        assertThat(worker.heard).containsExactlyElementsOf(IntStream.rangeClosed(1, 100).boxed().toList());
        assertThat(worker.published).hasSize(100);
        assertThat(lines.held()).isZero();
    }

    @Test
    void commandsNobodyHeardWaitWithWhatFollowsAndGoInOrderOnceTheWorkerIsBack() {
        worker.subscribed = false;
        send(1, 3);
        await().atMost(TIMEOUT).until(() -> lines.held() == 3);
        send(4, 6); // behind the line, not published
        assertThat(worker.published).as("the head may have gone again already").doesNotContain(4, 5, 6);
        assertThat(lines.held()).isEqualTo(6);

        worker.subscribed = true;

        await().atMost(TIMEOUT).until(() -> worker.heard.size() == 6);
        assertThat(worker.heard).containsExactly(1, 2, 3, 4, 5, 6);
        await().atMost(TIMEOUT).until(() -> lines.held() == 0);
        send(7, 7);
        assertThat(worker.heard).as("sent directly again").endsWith(7);
        assertThat(dropped.total()).isZero();
    }

    @Test
    void anEarlierCommandWhoseAnswerComesLateKeepsItsPlaceAheadOfLaterOnes() {
        worker.subscribed = false;
        List<Runnable> answers = new ArrayList<>();
        worker.heldAnswers = answers;
        send(1, 2);
        worker.heldAnswers = null;
        answers.get(0).run(); // 1 reached nobody: the line starts
        await().atMost(TIMEOUT).until(() -> lines.held() == 1);
        send(3, 3); // queued behind 1, while 2's answer is still on its way
        answers.get(1).run();
        await().atMost(TIMEOUT).until(() -> lines.held() == 3);

        worker.subscribed = true;

        await().atMost(TIMEOUT).until(() -> worker.heard.size() == 3);
        assertThat(worker.heard).containsExactly(1, 2, 3);
    }

    @Test
    void anotherSocketOfTheWorkerIsNotHeldBehindALine() {
        worker.subscribed = false;
        send(1, 1);
        await().atMost(TIMEOUT).until(() -> lines.held() == 1);
        worker.subscribed = true; // back, before the line's next try

        lines.send("w1", new EmitToSocket("/chat", "w1.run00001otherSocket1", "n2", Payload.empty()));

        assertThat(worker.heard).as("sent at once, not behind socket 1's line").startsWith(2);
        await().atMost(TIMEOUT).until(() -> worker.heard.contains(1));
    }

    @Test
    void aLateNobodyHeardWhileTheHeadsRetryWaitsForItsAnswerDoesNotSendTheHeadAgain() {
        worker.subscribed = false;
        List<Runnable> answers = new CopyOnWriteArrayList<>();
        worker.heldAnswers = answers; // Redis answers late (a backlog on the publishing connection)
        send(1, 2);
        answers.get(0).run(); // 1 reached nobody: the line starts, its head goes again in 100 ms
        worker.subscribed = true;
        await().atMost(TIMEOUT).until(() -> answers.size() == 3); // the head's retry, heard, its answer not back

        answers.get(1).run(); // 2's late "nobody": held behind 1, with the head's retry under way
        answers.get(2).run(); // the retry's answer: the rest follows
        worker.heldAnswers = null;

        await().atMost(TIMEOUT).until(() -> worker.heard.contains(2));
        // a second retry of the head would come 100 ms after the late answer
        await().during(Duration.ofMillis(500)).atMost(TIMEOUT).until(() -> worker.heard.equals(List.of(1, 2)));
    }

    @Test
    void aWorkerThatNeverHearsHasItsLineDroppedAndCounted() {
        lines.close();
        lines = new WorkerCommandLines(worker::publish, WorkerCommandLinesTest::requireFits, dropped, "test-lines",
                Duration.ofMillis(300));
        worker.subscribed = false;
        send(1, 4);

        await().atMost(TIMEOUT).until(() -> dropped.count(Cause.WORKER_UNREACHABLE) == 4);
        assertThat(lines.held()).isZero();
        worker.subscribed = true;
        send(5, 5);
        assertThat(worker.heard).containsExactly(5);
    }

    @Test
    void anAnsweredCommandLearnsItsReceiversOnceItsWorkerHeardIt() throws Exception {
        worker.subscribed = false;
        send(1, 1);
        await().atMost(TIMEOUT).until(() -> lines.held() == 1);
        CompletableFuture<Long> answered = lines.sendAnswered("w1", command(2));
        assertThat(answered).as("held behind 1").isNotDone();

        worker.subscribed = true;

        assertThat(answered.get(10, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(1);
        assertThat(worker.heard).containsExactly(1, 2);
        assertThat(lines.sendAnswered("w1", command(3)).get(10, java.util.concurrent.TimeUnit.SECONDS))
                .as("sent directly").isEqualTo(1);
    }

    @Test
    void anAnsweredCommandGivenUpLearnsThatNobodyHeardIt() throws Exception {
        lines.close();
        lines = new WorkerCommandLines(worker::publish, WorkerCommandLinesTest::requireFits, dropped, "test-lines",
                Duration.ofMillis(300));
        worker.subscribed = false;
        CompletableFuture<Long> answered = lines.sendAnswered("w1", command(1));

        assertThat(answered.get(10, java.util.concurrent.TimeUnit.SECONDS)).isZero();
    }

    @Test
    void aCommandTooLargeIsRefusedToItsSenderEvenWhenItWouldWaitInALine() {
        worker.subscribed = false;
        send(1, 1);
        await().atMost(TIMEOUT).until(() -> lines.held() == 1);

        assertThatThrownBy(() -> lines.send("w1", new EmitToSocket("/chat", "w1.run00001abcdefghijkl", "big0",
                Payload.empty()))).isInstanceOf(MessageTooLargeException.class);
        assertThat(lines.sendAnswered("w1", new EmitToSocket("/chat", "w1.run00001abcdefghijkl", "big0",
                Payload.empty()))).isCompletedExceptionally();
        assertThat(lines.held()).isEqualTo(1);
    }

    @Test
    void pastTheLimitAWorkerHasNotHeardACommandIsDroppedAndCounted() {
        worker.subscribed = false;
        send(1, 1);
        await().atMost(TIMEOUT).until(() -> lines.held() == 1);
        send(2, WorkerCommandLines.MAX_HELD + 1);
        assertThat(lines.held()).isEqualTo(WorkerCommandLines.MAX_HELD);
        assertThat(dropped.count(Cause.WORKER_UNREACHABLE)).isEqualTo(1);
    }
}
