package io.github.siodistributor.core.transport;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.github.siodistributor.core.transport.DroppedMessages.Cause;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class DroppedMessagesTest {

    private final Logger logger = (Logger) LoggerFactory.getLogger(DroppedMessages.class);
    private final ListAppender<ILoggingEvent> logged = new ListAppender<>();

    @BeforeEach
    void captureTheLog() {
        logged.start();
        logger.addAppender(logged);
    }

    @AfterEach
    void releaseTheLog() {
        logger.detachAppender(logged);
        logged.stop();
    }

    @Test
    void startsAtZero() {
        DroppedMessages dropped = new DroppedMessages();

        for (Cause cause : Cause.values()) {
            assertThat(dropped.count(cause)).isZero();
        }
        assertThat(dropped.total()).isZero();
    }

    @Test
    void countsByCause() {
        DroppedMessages dropped = new DroppedMessages();

        dropped.record(Cause.MALFORMED, "sio:backend:/chat", "no magic");
        dropped.record(Cause.MALFORMED, "sio:backend:/chat", "no magic");
        dropped.record(Cause.MALFORMED, "sio:worker:w", "truncated");
        dropped.record(Cause.HANDLER_FAILED, "sio:backend:/chat", "boom");
        dropped.record(Cause.UNKNOWN_SOCKET, "sio:worker:w", "gone");
        dropped.record(Cause.UNKNOWN_SOCKET, "sio:worker:w", "gone");

        assertThat(dropped.count(Cause.MALFORMED)).isEqualTo(3);
        assertThat(dropped.count(Cause.HANDLER_FAILED)).isEqualTo(1);
        assertThat(dropped.count(Cause.UNKNOWN_SOCKET)).isEqualTo(2);
        assertThat(dropped.count(Cause.MISROUTED)).isZero();
        assertThat(dropped.total()).isEqualTo(6);
    }

    @Test
    void instancesCountIndependently() {
        DroppedMessages one = new DroppedMessages();
        DroppedMessages other = new DroppedMessages();

        one.record(Cause.MISROUTED, "c", "d");

        assertThat(one.count(Cause.MISROUTED)).isEqualTo(1);
        assertThat(other.count(Cause.MISROUTED)).isZero();
        assertThat(other.total()).isZero();
    }

    @Test
    void countsExactlyUnderConcurrentRecording() throws Exception {
        DroppedMessages dropped = new DroppedMessages();
        int threads = 4;
        int perThread = Cause.values().length * 5_000; // the same count for every cause
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                futures.add(pool.submit(() -> {
                    start.await(10, TimeUnit.SECONDS);
                    for (int i = 0; i < perThread; i++) {
                        dropped.record(Cause.values()[i % Cause.values().length], "c", "d");
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> future : futures) {
                future.get(30, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }

        assertThat(dropped.total()).isEqualTo((long) threads * perThread);
        for (Cause cause : Cause.values()) {
            assertThat(dropped.count(cause)).isEqualTo((long) threads * perThread / Cause.values().length);
        }
    }

    @Test
    void logsTheFirstDropButNotAFloodOfThem() {
        DroppedMessages dropped = new DroppedMessages();

        for (int i = 0; i < 10_000; i++) {
            dropped.record(Cause.MALFORMED, "sio:backend:/chat", "garbage " + i);
        }

        assertThat(dropped.count(Cause.MALFORMED)).isEqualTo(10_000);
        // one report now, the next one only after the interval: a flood does not flood the log
        assertThat(logged.list).hasSize(1);
        ILoggingEvent event = logged.list.get(0);
        assertThat(event.getLevel()).isEqualTo(Level.WARN);
        assertThat(event.getFormattedMessage()).contains("sio:backend:/chat", "MALFORMED", "garbage 0");
    }

    @Test
    void aFloodOfOneCauseDoesNotHideTheFirstDropOfAnother() {
        DroppedMessages dropped = new DroppedMessages();

        for (int i = 0; i < 10_000; i++) {
            dropped.record(Cause.REDIS_BACKLOG, "sio:instance:b1", "refused " + i);
        }
        dropped.record(Cause.UNKNOWN_SOCKET, "sio:worker:w1", "EmitWithAck for socket w1.gone");

        assertThat(logged.list).extracting(ILoggingEvent::getFormattedMessage).hasSize(2)
                .anySatisfy(line -> assertThat(line).contains("REDIS_BACKLOG", "refused 0"))
                .anySatisfy(line -> assertThat(line).contains("UNKNOWN_SOCKET", "w1.gone"));
    }

    @Test
    void anExpectedDropIsCountedButNotWarnedOf() {
        DroppedMessages dropped = new DroppedMessages();

        dropped.recordExpected(Cause.UNKNOWN_SOCKET, "sio:worker:w1", "AckReply for socket w1.left, which has left");
        dropped.record(Cause.LATE_REPLY, "sio:replies:b1", "ack after its timeout");

        assertThat(dropped.count(Cause.UNKNOWN_SOCKET)).isEqualTo(1);
        assertThat(dropped.count(Cause.LATE_REPLY)).isEqualTo(1);
        assertThat(logged.list).noneMatch(event -> event.getLevel().isGreaterOrEqual(Level.INFO));
        // nor does it take the warning slot of its cause
        dropped.record(Cause.UNKNOWN_SOCKET, "sio:worker:w1", "Emit for socket w9.never");
        assertThat(logged.list).filteredOn(event -> event.getLevel() == Level.WARN).singleElement()
                .satisfies(event -> assertThat(event.getFormattedMessage()).contains("w9.never"));
    }

    @Test
    void aHugeDetailFromAMessageIsLoggedShortened() {
        DroppedMessages dropped = new DroppedMessages();
        String detail = "SocketEvent for namespace /" + "x".repeat(1_000_000);
        dropped.record(Cause.MISROUTED, "sio:worker:w1", detail);

        assertThat(logged.list).hasSize(1);
        String line = logged.list.get(0).getFormattedMessage();
        assertThat(line).hasSizeLessThan(1_000).endsWith("... (" + detail.length() + " characters)");
    }

    @Test
    void aClientsNameCannotWriteALineOfItsOwnIntoTheLog() {
        DroppedMessages dropped = new DroppedMessages();
        String forged = "x\n2026-12-04T00:00:00.000Z ERROR 1 --- [main] forged\r\u2028\u0085\u001b[31m";
        dropped.record(Cause.LIMIT_EXCEEDED, "sio:instance:b1", "event '" + forged + "': too many waiting");

        String line = logged.list.get(0).getFormattedMessage();
        assertThat(line).doesNotContain("\n", "\r", "\u2028", "\u0085", "\u001b")
                .contains("event 'x\\n2026-12-04T00:00:00.000Z ERROR 1 --- [main] forged\\r\\u2028\\u0085\\u001b[31m'");
    }
}
