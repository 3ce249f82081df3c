package io.github.siodistributor.core.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.corundumstudio.socketio.scheduler.CancelableScheduler;
import io.github.siodistributor.core.engine.EngineSettings;
import io.github.siodistributor.core.protocol.ChannelNames;
import io.github.siodistributor.core.transport.DroppedMessages;
import io.github.siodistributor.core.transport.RedisMessageBus;
import io.github.siodistributor.core.transport.TestConnectionFactories;
import io.github.siodistributor.testsupport.PollingHandshake;
import io.github.siodistributor.testsupport.TestRedis;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.uring.IoUring;
import java.net.BindException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * A worker built without event loops (outside Spring, {@link DistributorWorker}'s short constructor) makes its own,
 * and stops them when it closes or cannot bind: they are not daemons, and left running they would keep the JVM alive.
 * They run NIO, or epoll or io_uring where Netty's native library for it is on the class path.
 */
class DistributorWorkerOwnLoopsTest {

    @AutoClose
    private static final TestRedis redis = TestRedis.startNew();

    private LettuceConnectionFactory factory;
    private RedisMessageBus bus;

    @BeforeEach
    void startBus() {
        factory = TestConnectionFactories.startedFor(redis);
        bus = new RedisMessageBus(factory, new DroppedMessages());
    }

    @AfterEach
    void stopBus() {
        bus.close();
        factory.destroy();
    }

    private DistributorWorker worker(int port) {
        String id = "loops-" + UUID.randomUUID().toString().substring(0, 8);
        return new DistributorWorker(new WorkerSettings(id, "127.0.0.1", port, List.of("/chat"),
                new ChannelNames("loops")), EngineSettings.defaults(), bus, null, Duration.ofSeconds(5), null,
                BackendRouting.defaults());
    }

    private static Set<Thread> ioThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(thread -> thread.isAlive() && thread.getName().startsWith("distributor-io-"))
                .collect(Collectors.toSet());
    }

    private static Set<Thread> startedSince(Set<Thread> before) {
        Set<Thread> now = ioThreads();
        now.removeAll(before);
        return now;
    }

    @Test
    void aWorkerOnLoopsOfItsOwnServesClientsAndStopsItsLoopsWhenItCloses() throws Exception {
        servesClientsAndStopsItsLoops(WorkerTransport.NIO);
    }

    private void servesClientsAndStopsItsLoops(WorkerTransport expected) throws Exception {
        Set<Thread> before = ioThreads();
        DistributorWorker worker = worker(0);
        assertThat(worker.transport()).isEqualTo(expected);
        bus.start();
        worker.start();
        HttpResponse<String> handshake = PollingHandshake.open(worker.port());
        assertThat(handshake.statusCode()).isEqualTo(200);
        assertThat(handshake.body()).contains("\"sid\":\"" + worker.id() + ".");
        assertThat(startedSince(before)).hasSize(WorkerEventLoops.DEFAULT_THREADS);

        worker.close();
        await().atMost(Duration.ofSeconds(15)).until(() -> startedSince(before).isEmpty());
    }

    @Test
    void aWorkerThatCannotBindSaysWhichPortAndStopsItsLoops() throws Exception {
        refusesATakenPortAndStopsItsLoops(WorkerTransport.NIO);
    }

    private void refusesATakenPortAndStopsItsLoops(WorkerTransport expected) throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
            Set<Thread> before = ioThreads();
            DistributorWorker worker = worker(taken.getLocalPort());
            assertThat(worker.transport()).isEqualTo(expected);
            bus.start();
            assertThatThrownBy(worker::start).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("127.0.0.1:" + taken.getLocalPort())
                    .hasMessageContaining("distributor.worker.port")
                    // the JDK's type on either transport: the start-up failure analyzer looks for it
                    .hasCauseInstanceOf(BindException.class);
            await().atMost(Duration.ofSeconds(15)).until(() -> startedSince(before).isEmpty());
            // nothing it started is left: no thread watching the backends, no subscription to its channel
            await().atMost(Duration.ofSeconds(15)).until(() -> Thread.getAllStackTraces().keySet().stream()
                    .noneMatch(thread -> thread.isAlive()
                            && thread.getName().equals("distributor-backend-watch-" + worker.id())));
            bus.subscribe(new ChannelNames("loops").worker(worker.id()), message -> { }).close();
            worker.close();
        }
    }

    /**
     * netty-socketio's server makes a pipeline factory of its own, which the worker never uses, with a timer that
     * Netty's leak detector reports once collected unless stopped: a worker's close stops it.
     */
    @Test
    void closingAWorkerStopsTheTimerOfNettySocketIosUnusedPipelineFactory() {
        DistributorWorker worker = worker(0);
        CancelableScheduler timer = worker.socketIoServer().unusedTimer();
        assertThat(timer).as("reachable on netty-socketio 2.0.14").isNotNull();

        worker.close();

        assertThatThrownBy(() -> timer.schedule(() -> { }, 1, TimeUnit.SECONDS))
                .as("a stopped HashedWheelTimer takes nothing more").isInstanceOf(IllegalStateException.class);
    }

    /** Run with Netty's native epoll library on the class path (the epoll test execution): the worker's loops run it. */
    @Nested
    @Tag("epoll")
    class OnEpoll {

        @BeforeEach
        void epollIsAvailable() {
            Assumptions.assumeTrue(Epoll.isAvailable(), () -> "epoll is not available here: " + Epoll.unavailabilityCause());
        }

        @Test
        void aWorkerServesClientsOnEpollLoopsAndStopsThemWhenItCloses() throws Exception {
            servesClientsAndStopsItsLoops(WorkerTransport.EPOLL);
        }

        @Test
        void aTakenPortIsTheJdksBindExceptionOnEpollToo() throws Exception {
            refusesATakenPortAndStopsItsLoops(WorkerTransport.EPOLL);
        }
    }

    /** Run with Netty's io_uring library on the class path (the io-uring test execution): the worker's loops run it. */
    @Nested
    @Tag("io-uring")
    class OnIoUring {

        @BeforeEach
        void ioUringIsAvailable() {
            Assumptions.assumeTrue(IoUring.isAvailable(), () -> "io_uring is not available here: "
                    + IoUring.unavailabilityCause());
        }

        @Test
        void aWorkerServesClientsOnIoUringLoopsAndStopsThemWhenItCloses() throws Exception {
            servesClientsAndStopsItsLoops(WorkerTransport.IO_URING);
        }

        @Test
        void aTakenPortIsTheJdksBindExceptionOnIoUringToo() throws Exception {
            refusesATakenPortAndStopsItsLoops(WorkerTransport.IO_URING);
        }
    }
}
