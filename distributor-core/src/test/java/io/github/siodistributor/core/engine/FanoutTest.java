package io.github.siodistributor.core.engine;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.awaitility.Awaitility.await;

import io.netty.channel.DefaultEventLoop;
import io.netty.channel.EventLoop;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** A broadcast's shared buffer views reach every event loop that can take them, and one that cannot costs nothing. */
class FanoutTest {

    @Test
    void aBroadcastReachingAnEventLoopThatShutDownStillReachesTheOtherLoops() throws Exception {
        EventLoop stopped = new DefaultEventLoop();
        stopped.shutdownGracefully(0, 0, TimeUnit.SECONDS).sync();
        EventLoop running = new DefaultEventLoop();
        try {
            EngineSession onStopped = new EngineSession("s1", stopped, null, null, false);
            EngineSession onRunning = new EngineSession("s2", running, null, null, false);
            // volatile, to a long-polling session with no request waiting: skipped and counted, which shows it ran
            AtomicInteger skipped = new AtomicInteger();

            assertThatCode(() -> Fanout.send(List.of(onStopped, onRunning), Function.identity(),
                    List.of(Frame.text("42[\"news\"]")), true, skipped::incrementAndGet)).doesNotThrowAnyException();

            await().atMost(Duration.ofSeconds(10)).until(() -> skipped.get() == 1);
        } finally {
            running.shutdownGracefully(0, 0, TimeUnit.SECONDS).sync();
        }
    }

    @Test
    void aFailureWritingToOneSessionCostsThatSessionOnly() throws Exception {
        EventLoop running = new DefaultEventLoop();
        try {
            List<EngineSession> sessions = List.of(new EngineSession("s1", running, null, null, false),
                    new EngineSession("s2", running, null, null, false));
            AtomicInteger skipped = new AtomicInteger();
            Runnable failingOnce = () -> {
                if (skipped.incrementAndGet() == 1) {
                    throw new IllegalStateException("a bug in what runs for a skipped client");
                }
            };

            Fanout.send(sessions, Function.identity(), List.of(Frame.text("42[\"news\"]")), true, failingOnce);

            await().atMost(Duration.ofSeconds(10)).until(() -> skipped.get() == 2);
        } finally {
            running.shutdownGracefully(0, 0, TimeUnit.SECONDS).sync();
        }
    }
}
