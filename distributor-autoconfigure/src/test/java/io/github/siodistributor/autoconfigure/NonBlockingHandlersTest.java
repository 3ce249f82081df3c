package io.github.siodistributor.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.siodistributor.backend.Ack;
import io.github.siodistributor.backend.IndirectSocket;
import io.github.siodistributor.backend.annotation.OnConnect;
import io.github.siodistributor.backend.annotation.OnEvent;
import io.github.siodistributor.backend.annotation.SocketNamespace;
import io.github.siodistributor.backend.runtime.NonBlockingDispatch;
import io.github.siodistributor.core.worker.DistributorWorker;
import io.github.siodistributor.testsupport.NodeClients;
import io.github.siodistributor.testsupport.TestRedis;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/**
 * A namespace whose handler is declared non-blocking, with real Socket.IO clients and Redis: its calls run on the
 * thread that reads them from Redis (with both roles in one process, the worker's event loop) in each socket's
 * order, a wait on a distributor result there fails at once and says why instead of stalling that thread, the
 * non-blocking way to use such a result works, and a call that holds the thread is logged.
 */
@ExtendWith(OutputCaptureExtension.class)
class NonBlockingHandlersTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    @AutoClose
    private static final TestRedis redis = TestRedis.startNew();
    @AutoClose
    private static final NodeClients clients = new NodeClients();

    @SocketNamespace(value = "/fast", nonBlocking = true)
    public static class FastHandler {
        final List<String> connected = new CopyOnWriteArrayList<>();
        final List<String> threads = new CopyOnWriteArrayList<>();
        final List<Integer> counted = new CopyOnWriteArrayList<>();

        @OnConnect
        public void connected(IndirectSocket socket) {
            threads.add(Thread.currentThread().getName());
            connected.add(socket.id());
        }

        @OnEvent("count")
        public int count(int n) {
            threads.add(Thread.currentThread().getName());
            counted.add(n);
            return n;
        }

        @OnEvent("ask-and-wait")
        public String askAndWait(IndirectSocket socket) {
            return socket.emitWithAck("question").join().get(0, String.class);
        }

        @OnEvent("ask-and-chain")
        public void askAndChain(IndirectSocket socket, Ack ack) {
            socket.emitWithAck("question").thenApply(answer -> answer.get(0, String.class))
                    .thenAccept(answer -> ack.send("answered " + answer));
        }

        @OnEvent("hold")
        public String hold() throws InterruptedException {
            Thread.sleep(NonBlockingDispatch.SLOW_MILLIS + 30);
            return "held";
        }
    }

    private static String connect(DistributorWorker worker, FastHandler handler) {
        String id = "fast-" + UUID.randomUUID();
        clients.connect(id, "http://127.0.0.1:" + worker.port(), "/fast");
        String socketId = clients.awaitConnect(id).path("socketId").asText();
        await().atMost(TIMEOUT).until(() -> handler.connected.contains(socketId));
        return id;
    }

    private static List<JsonNode> ack(String id, String event, Object... args) throws Exception {
        return clients.emitWithAck(id, event, args).get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    }

    @Test
    void callsRunOnTheRedisDeliveryThreadInEachSocketsOrder() {
        DistributorRunners.bothRoles(redis.port()).withBean(FastHandler.class).run(context -> {
            assertThat(context).hasNotFailed();
            FastHandler handler = context.getBean(FastHandler.class);
            String id = connect(context.getBean(DistributorWorker.class), handler);

            IntStream.range(0, 200).forEach(n -> clients.emit(id, "count", n));
            await().atMost(TIMEOUT).until(() -> handler.counted.size() == 200);

            assertThat(handler.counted).containsExactlyElementsOf(IntStream.range(0, 200).boxed().toList());
            // both roles in one process: the Redis connections live on the worker's loops, and so do these calls
            assertThat(handler.threads).isNotEmpty().allSatisfy(thread -> assertThat(thread).startsWith("distributor-io"));
            clients.disconnect(id);
        });
    }

    @Test
    void aBackendWithoutAWorkerRunsThemOnItsOneRedisLoop() {
        assertThat(handlerThreadsOfABackendOnlyProcess("distributor.backend.one-redis-loop=true"))
                .allSatisfy(thread -> assertThat(thread).startsWith("distributor-io"));
    }

    @Test
    void withoutItsOneRedisLoopABackendRunsThemOnLettucesOwnLoops() {
        assertThat(handlerThreadsOfABackendOnlyProcess("distributor.backend.one-redis-loop=false"))
                .allSatisfy(thread -> assertThat(thread).startsWith("lettuce-"));
    }

    /** The threads a non-blocking handler ran on, in a backend-only context with a worker-only context beside it. */
    private static List<String> handlerThreadsOfABackendOnlyProcess(String oneRedisLoop) {
        String prefix = "distributor.redis.prefix=nonblocking-" + UUID.randomUUID().toString().substring(0, 8);
        List<String> threads = new CopyOnWriteArrayList<>();
        DistributorRunners.bothRoles(redis.port()).withPropertyValues(prefix, "distributor.backend.enabled=false",
                "distributor.worker.namespaces=/fast").run(workerOnly -> DistributorRunners
                        .bothRoles(redis.port(), DistributorBackendEventLoopAutoConfiguration.class)
                        .withPropertyValues(prefix, "distributor.worker.enabled=false", oneRedisLoop)
                        .withBean(FastHandler.class).run(backendOnly -> {
                            assertThat(backendOnly).hasNotFailed();
                            FastHandler handler = backendOnly.getBean(FastHandler.class);
                            String id = connect(workerOnly.getBean(DistributorWorker.class), handler);
                            assertThat(ack(id, "count", 3).get(0).asInt()).isEqualTo(3);
                            clients.disconnect(id);
                            threads.addAll(handler.threads);
                        }));
        assertThat(threads).hasSize(2); // the connect and the event
        return threads;
    }

    @Test
    void waitingForADistributorResultFailsAtOnceAndTheThreadGoesOn(CapturedOutput output) {
        DistributorRunners.bothRoles(redis.port()).withBean(FastHandler.class).run(context -> {
            FastHandler handler = context.getBean(FastHandler.class);
            String id = connect(context.getBean(DistributorWorker.class), handler);

            List<JsonNode> refused = ack(id, "ask-and-wait");
            assertThat(refused.get(0).path("error").path("message").asText()).isEqualTo("internal error");
            assertThat(output).contains("declared non-blocking (@SocketNamespace(nonBlocking = true)), waits for a"
                    + " result of the distributor");
            // the question is still unanswered, and the thread that would deliver its answer serves the socket
            clients.awaitEvent(id, "question");
            assertThat(ack(id, "count", 7).get(0).asInt()).isEqualTo(7);
            clients.disconnect(id);
        });
    }

    @Test
    void chainingOnADistributorResultAnswersTheClient() {
        DistributorRunners.bothRoles(redis.port()).withBean(FastHandler.class).run(context -> {
            FastHandler handler = context.getBean(FastHandler.class);
            String id = connect(context.getBean(DistributorWorker.class), handler);

            var answered = clients.emitWithAck(id, "ask-and-chain");
            long ackId = clients.awaitEvent(id, "question").path("ackId").asLong();
            clients.answerAck(id, ackId, "yes");

            assertThat(answered.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS).get(0).asText()).isEqualTo("answered yes");
            clients.disconnect(id);
        });
    }

    @Test
    void aCallThatHoldsTheThreadIsLogged(CapturedOutput output) {
        DistributorRunners.bothRoles(redis.port()).withBean(FastHandler.class).run(context -> {
            FastHandler handler = context.getBean(FastHandler.class);
            String id = connect(context.getBean(DistributorWorker.class), handler);

            assertThat(ack(id, "hold").get(0).asText()).isEqualTo("held");

            assertThat(output).contains("A handler of /fast, declared non-blocking (@SocketNamespace(nonBlocking ="
                    + " true)), held the Redis delivery thread for");
            clients.disconnect(id);
        });
    }
}
