package io.github.siodistributor.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.siodistributor.core.protocol.Message.SocketReleased;
import io.github.siodistributor.core.transport.MessageBus;
import io.github.siodistributor.core.transport.RedisMessageBus;
import io.github.siodistributor.core.transport.RedisWritesPerLoopPass;
import io.github.siodistributor.core.transport.SharedLettuceEventLoops;
import io.github.siodistributor.core.worker.DistributorWorker;
import io.github.siodistributor.core.worker.WorkerEventLoops;
import io.github.siodistributor.core.worker.WorkerTransport;
import io.github.siodistributor.testsupport.PollingHandshake;
import io.github.siodistributor.testsupport.TestRedis;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.NettyCustomizer;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.uring.IoUring;
import io.netty.util.concurrent.EventExecutor;
import java.net.http.HttpResponse;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.springframework.boot.data.redis.autoconfigure.ClientResourcesBuilderCustomizer;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * The worker's client connections and its Redis connections share the worker's event loops: a message read from
 * Redis is handled, and a publish is answered, on a thread of those loops, the same that serves the clients.
 */
class DistributorWorkerEventLoopsAutoConfigurationTest {

    @AutoClose
    private static final TestRedis redis = TestRedis.startNew();

    private final ApplicationContextRunner runner = DistributorRunners.bothRoles(redis.port())
            .withPropertyValues("distributor.worker.namespaces=/chat");

    @Test
    void theWorkersClientsAndRedisConnectionsRunOnItsEventLoops() {
        runner.run(context -> {
            assertThat(context).hasNotFailed();
            WorkerEventLoops loops = context.getBean(WorkerEventLoops.class);
            assertThat(loops.threads()).isEqualTo(1);

            ThreadSeen delivery = deliverOnce(context);
            assertThat(delivery.onLoops(loops)).as("delivered on %s", delivery.name).isTrue();
            assertThat(delivery.name).startsWith("distributor-io-");

            ThreadSeen client = clientThread(context);
            assertThat(client.onLoops(loops)).as("client served on %s", client.name).isTrue();
            // and what a pass of the loops asks of Redis leaves in one write (RedisWritesPerLoopPassTest)
            assertThat(context.getBean(ClientResources.class).nettyCustomizer())
                    .isInstanceOf(RedisWritesPerLoopPass.class);
        });
    }

    @Test
    void anUnknownTransportIsRefusedNamingTheProperty() {
        runner.withPropertyValues("distributor.worker.transport=kqueue").run(context -> assertThat(context)
                .getFailure().hasStackTraceContaining("distributor.worker.transport").hasStackTraceContaining("kqueue"));
    }

    @Test
    void withoutNettysNativeLibrariesTheLoopsAndLettuceRunNio() {
        Assumptions.assumeFalse(Epoll.isAvailable() || IoUring.isAvailable(), "this test run has a native library");
        runner.run(context -> {
            assertThat(context.getBean(WorkerEventLoops.class).transport()).isEqualTo(WorkerTransport.NIO);
            assertThat(SharedLettuceEventLoops.applies(NioSocketChannel.class)).isTrue();
        });
    }

    @Test
    void aNativeTransportWithoutItsLibraryFailsTheStartSayingWhatToAdd() {
        Assumptions.assumeFalse(IoUring.isAvailable(), "this test run has Netty's io_uring library");
        runner.withPropertyValues("distributor.worker.transport=io-uring").run(context -> assertThat(context)
                .getFailure().hasStackTraceContaining("distributor.worker.transport=io-uring, but io-uring is not available")
                .hasStackTraceContaining("io.netty:netty-transport-native-io_uring"));
    }

    /** With Netty's native library for {@code expected}, the loops run it and Lettuce's connections share them. */
    private void theLoopsAndTheRedisConnectionsRunTogetherOn(WorkerTransport expected) {
        runner.run(context -> {
            assertThat(context).hasNotFailed();
            WorkerEventLoops loops = context.getBean(WorkerEventLoops.class);
            assertThat(loops.transport()).isEqualTo(expected);
            assertThat(context.getBean(DistributorWorker.class).transport()).isEqualTo(expected);
            // an NIO channel cannot register on native loops: served and delivered there means the native transport
            assertThat(deliverOnce(context).onLoops(loops)).isTrue();
            assertThat(clientThread(context).onLoops(loops)).isTrue();
        });
        runner.withPropertyValues("distributor.worker.transport=" + expected.propertyValue()).run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context.getBean(WorkerEventLoops.class).transport()).isEqualTo(expected);
        });
    }

    /** With Netty's native library, transport=nio runs the clients on NIO, and Lettuce's native connections apart. */
    private void transportNioLeavesLettuceOnItsOwnLoops() {
        runner.withPropertyValues("distributor.worker.transport=nio").run(context -> {
            assertThat(context).hasNotFailed();
            WorkerEventLoops loops = context.getBean(WorkerEventLoops.class);
            assertThat(loops.transport()).isEqualTo(WorkerTransport.NIO);
            assertThat(clientThread(context).onLoops(loops)).isTrue();
            // Lettuce picked the native transport for the whole JVM: its connections cannot share NIO loops, and work
            assertThat(deliverOnce(context).onLoops(loops)).isFalse();
        });
    }

    /** Run with Netty's native epoll library on the class path (the epoll test execution): Lettuce picks it too. */
    @Nested
    @Tag("epoll")
    class WithNettysEpollLibrary {

        @BeforeEach
        void epollIsAvailable() {
            Assumptions.assumeTrue(Epoll.isAvailable(), () -> "epoll is not available here: " + Epoll.unavailabilityCause());
        }

        @Test
        void theLoopsAndTheRedisConnectionsRunEpollTogether() {
            theLoopsAndTheRedisConnectionsRunTogetherOn(WorkerTransport.EPOLL);
        }

        @Test
        void transportNioRunsTheClientsOnNioAndLettuceKeepsItsOwnEpollLoops() {
            transportNioLeavesLettuceOnItsOwnLoops();
        }
    }

    /** Run with Netty's native io_uring library on the class path (the io-uring test execution): Lettuce picks it too. */
    @Nested
    @Tag("io-uring")
    class WithNettysIoUringLibrary {

        @BeforeEach
        void ioUringIsAvailable() {
            Assumptions.assumeTrue(IoUring.isAvailable(), () -> "io_uring is not available here: "
                    + IoUring.unavailabilityCause());
        }

        @Test
        void theLoopsAndTheRedisConnectionsRunIoUringTogether() {
            theLoopsAndTheRedisConnectionsRunTogetherOn(WorkerTransport.IO_URING);
        }

        @Test
        void transportNioRunsTheClientsOnNioAndLettuceKeepsItsOwnIoUringLoops() {
            transportNioLeavesLettuceOnItsOwnLoops();
        }
    }

    @Test
    void ioThreadsSizesTheLoops() {
        runner.withPropertyValues("distributor.worker.io-threads=3").run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context.getBean(WorkerEventLoops.class).threads()).isEqualTo(3);
            assertThat(deliverOnce(context).onLoops(context.getBean(WorkerEventLoops.class))).isTrue();
        });
    }

    @Test
    void fewerThanOneIoThreadIsRefusedNamingTheProperty() {
        runner.withPropertyValues("distributor.worker.io-threads=0").run(context -> assertThat(context)
                .getFailure().rootCause().hasMessageContaining("distributor.worker.io-threads").hasMessageContaining("0"));
    }

    @Test
    void anApplicationsOwnClientResourcesKeepTheirLoopsAndTheWorkerStillWorks() {
        runner.withBean(ClientResources.class, DefaultClientResources::create).run(context -> {
            assertThat(context).hasNotFailed();
            ThreadSeen delivery = deliverOnce(context);
            assertThat(delivery.onLoops(context.getBean(WorkerEventLoops.class))).isFalse();
            assertThat(clientThread(context).onLoops(context.getBean(WorkerEventLoops.class))).isTrue();
            assertThat(context.getBean(ClientResources.class).nettyCustomizer())
                    .isNotInstanceOf(RedisWritesPerLoopPass.class);
        });
    }

    @Test
    void anApplicationsOwnNettyCustomizerWinsAndTheWorkerStillWorks() {
        NettyCustomizer own = new NettyCustomizer() { };
        runner.withBean("ownNettyCustomizer", ClientResourcesBuilderCustomizer.class,
                () -> builder -> builder.nettyCustomizer(own)).run(context -> {
                    assertThat(context).hasNotFailed();
                    assertThat(context.getBean(ClientResources.class).nettyCustomizer()).isSameAs(own);
                    assertThat(deliverOnce(context).onLoops(context.getBean(WorkerEventLoops.class))).isTrue();
                });
    }

    @Test
    void aBackendOnlyApplicationHasNoWorkerLoops() {
        runner.withPropertyValues("distributor.worker.enabled=false").run(context -> {
            assertThat(context).hasNotFailed().doesNotHaveBean(WorkerEventLoops.class)
                    .doesNotHaveBean(DistributorWorker.class);
        });
    }

    /** The thread a message published on the bus is delivered on. */
    private static ThreadSeen deliverOnce(AssertableApplicationContext context) throws Exception {
        RedisMessageBus bus = context.getBean(RedisMessageBus.class);
        CompletableFuture<Thread> seen = new CompletableFuture<>();
        MessageBus.Subscription subscription = bus.subscribe("loops-test", message -> seen.complete(Thread.currentThread()));
        try {
            // the container subscribes asynchronously once started: publish until someone hears it
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (bus.publish("loops-test", new SocketReleased("/chat", "w.x", "b")).get(5, TimeUnit.SECONDS) == 0
                    && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            return new ThreadSeen(seen.get(5, TimeUnit.SECONDS));
        } finally {
            subscription.close();
        }
    }

    /** The thread a client's session runs on, after a real Engine.IO handshake over HTTP. */
    private static ThreadSeen clientThread(AssertableApplicationContext context) throws Exception {
        DistributorWorker worker = context.getBean(DistributorWorker.class);
        HttpResponse<String> handshake = PollingHandshake.open(worker.port());
        assertThat(handshake.statusCode()).isEqualTo(200);
        CompletableFuture<Thread> seen = new CompletableFuture<>();
        worker.engine().sessions().iterator().next().execute(() -> seen.complete(Thread.currentThread()));
        return new ThreadSeen(seen.get(5, TimeUnit.SECONDS));
    }

    private record ThreadSeen(Thread thread, String name) {

        ThreadSeen(Thread thread) {
            this(thread, thread.getName());
        }

        boolean onLoops(WorkerEventLoops loops) {
            for (EventExecutor loop : loops.group()) {
                if (loop.inEventLoop(thread)) {
                    return true;
                }
            }
            return false;
        }
    }
}
