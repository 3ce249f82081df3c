package io.github.siodistributor.samples.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.siodistributor.backend.IndirectSocket;
import io.github.siodistributor.backend.RemoteSocket;
import io.github.siodistributor.backend.annotation.OnDisconnect;
import io.github.siodistributor.backend.annotation.OnEvent;
import io.github.siodistributor.backend.annotation.OnRecover;
import io.github.siodistributor.backend.annotation.SocketNamespace;
import io.github.siodistributor.backend.runtime.DistributorBackend;
import io.github.siodistributor.core.protocol.ChannelNames;
import io.github.siodistributor.core.protocol.Message.SocketReleased;
import io.github.siodistributor.core.transport.DroppedMessages;
import io.github.siodistributor.core.transport.DroppedMessages.Cause;
import io.github.siodistributor.core.transport.RedisMessageBus;
import io.github.siodistributor.core.worker.DistributorWorker;
import io.github.siodistributor.testsupport.NodeClients;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Several backend instances of one namespace (in-JVM contexts on one real Redis, real JS clients): new
 * sockets are spread over the instances and each socket's events go to its instance only, in order; a
 * stopping instance hands its sockets over without losing or reordering an event; with no instance left,
 * the worker holds events (bounded) or disconnects, as configured, and forgets a socket that ends before any instance
 * heard of it. Killed instances: {@code BackendFailoverIT}.
 */
class BackendScaleOutTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    @Test
    void newSocketsAreSpreadOverTheInstancesAndEachSocketsEventsGoToItsInstanceInOrder() throws Exception {
        try (ChatCluster cluster = new ChatCluster(); NodeClients clients = new NodeClients()) {
            String url = ChatCluster.url(cluster.worker("w1", SequenceHandler.class));
            SequenceHandler a = cluster.backend(SequenceHandler.class).getBean(SequenceHandler.class);
            SequenceHandler b = cluster.backend(SequenceHandler.class).getBean(SequenceHandler.class);

            List<String> ids = connect(clients, url, 16);
            List<CompletableFuture<List<JsonNode>>> acks = new ArrayList<>();
            for (int n = 1; n <= 20; n++) {
                for (int c = 0; c < ids.size(); c++) {
                    acks.add(clients.emitWithAck("c" + c, "n", n));
                }
            }
            CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).get(WAIT.toSeconds(), TimeUnit.SECONDS);

            assertThat(a.connected).isNotEmpty().doesNotContainAnyElementsOf(b.connected);
            assertThat(b.connected).isNotEmpty();
            assertThat(union(a.connected, b.connected)).containsExactlyInAnyOrderElementsOf(ids);
            List<Integer> oneToTwenty = IntStream.rangeClosed(1, 20).boxed().toList();
            for (String id : ids) {
                SequenceHandler own = a.connected.contains(id) ? a : b;
                SequenceHandler other = own == a ? b : a;
                assertThat(own.handledOf(id)).as("events of %s on its instance", id).isEqualTo(oneToTwenty);
                assertThat(other.handledOf(id)).as("events of %s on the other instance", id).isEmpty();
            }
        }
    }

    @Test
    void aStoppingInstanceHandsItsSocketsOverWithoutLosingOrReorderingAnEvent() throws Exception {
        try (ChatCluster cluster = new ChatCluster(); NodeClients clients = new NodeClients()) {
            // room for what arrives while a socket waits for its hand-over, however slow this machine is today
            String url = ChatCluster.url(cluster.worker("w1", List.of("distributor.worker.held-events-limit=1000"),
                    SequenceHandler.class));
            ConfigurableApplicationContext leavingContext = cluster.backend(SequenceHandler.class);
            SequenceHandler leaving = leavingContext.getBean(SequenceHandler.class);
            SequenceHandler staying = cluster.backend(SequenceHandler.class).getBean(SequenceHandler.class);
            List<String> ids = connect(clients, url, 16);
            for (int c = 0; c < ids.size(); c++) {
                clients.emitWithAck("c" + c, "join", "room-" + c).get(WAIT.toSeconds(), TimeUnit.SECONDS);
            }
            Set<String> moved = Set.copyOf(leaving.connected);
            assertThat(moved).as("sockets on the instance that stops").isNotEmpty();

            // every client keeps emitting numbered events, without acks, while the instance stops; just before it
            // stops, one round is slow to handle, so that the instance still works on it when asked to let go
            AtomicInteger sent = new AtomicInteger();
            AtomicInteger slowRound = new AtomicInteger(-1);
            ScheduledExecutorService load = Executors.newSingleThreadScheduledExecutor();
            load.scheduleAtFixedRate(() -> {
                int n = sent.get() + 1;
                String event = slowRound.compareAndSet(0, n) ? "slow" : "n";
                for (int c = 0; c < ids.size(); c++) {
                    clients.emit("c" + c, event, n);
                }
                sent.set(n);
            }, 0, 10, TimeUnit.MILLISECONDS);
            try {
                await().atMost(WAIT).until(() -> leaving.handled.size() >= 100);
                slowRound.set(0);
                await().atMost(WAIT).until(() -> !leaving.slowStarted.isEmpty());
                leavingContext.close();
                int sentWhenStopped = sent.get();
                await().atMost(WAIT).until(() -> sent.get() >= sentWhenStopped + 20);
            } finally {
                load.shutdown();
                assertThat(load.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
            }
            int last = sent.get() + 1;
            for (int c = 0; c < ids.size(); c++) {
                // in order behind every earlier event of the socket: once answered, all were handled
                clients.emitWithAck("c" + c, "n", last).get(WAIT.toSeconds(), TimeUnit.SECONDS);
            }

            List<Integer> all = IntStream.rangeClosed(1, last).boxed().toList();
            for (int c = 0; c < ids.size(); c++) {
                String id = ids.get(c);
                assertThat(SequenceHandler.handledInOrder(id, leaving, staying))
                        .as("every event of %s handled exactly once, in order, across both instances", id)
                        .isEqualTo(all);
                if (moved.contains(id)) {
                    assertThat(leaving.handledOf(id)).as("events of %s before the hand-over", id).isNotEmpty();
                }
            }
            List<SequenceHandler.Recovery> recoveries = new ArrayList<>(staying.recoveries);
            assertThat(recoveries).extracting(SequenceHandler.Recovery::socketId)
                    .containsExactlyInAnyOrderElementsOf(moved);
            for (SequenceHandler.Recovery recovery : recoveries) {
                int c = ids.indexOf(recovery.socketId());
                assertThat(recovery.reason()).isEqualTo("backend instance left");
                assertThat(recovery.auth()).contains("\"name\":\"c" + c + "\"");
                assertThat(recovery.rooms()).contains("room-" + c, recovery.socketId());
            }
            assertThat(clients.lines()).noneMatch(line -> "disconnect".equals(line.path("type").asText()));
        }
    }

    @Test
    void withNoInstanceLeftTheWorkerHoldsABoundedNumberOfEventsUntilOneComes() throws Exception {
        try (ChatCluster cluster = new ChatCluster(); NodeClients clients = new NodeClients()) {
            String url = ChatCluster.url(cluster.worker("w1", List.of("distributor.worker.held-events-limit=5"),
                    SequenceHandler.class));
            ConfigurableApplicationContext only = cluster.backend(SequenceHandler.class);
            List<String> ids = connect(clients, url, 1);
            clients.emitWithAck("c0", "join", "kept").get(WAIT.toSeconds(), TimeUnit.SECONDS);
            only.close();

            List<CompletableFuture<List<JsonNode>>> held = new ArrayList<>();
            for (int n = 1; n <= 5; n++) {
                held.add(clients.emitWithAck(Duration.ofSeconds(60), "c0", "n", n));
            }
            List<JsonNode> refused = clients.emitWithAck("c0", "n", 6).get(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(refused.get(0).path("error").path("message").asText()).contains("distributor.worker.held-events-limit")
                    .contains("5 events waiting");
            assertThat(held).noneMatch(CompletableFuture::isDone);

            SequenceHandler next = cluster.backend(SequenceHandler.class).getBean(SequenceHandler.class);
            for (int n = 1; n <= 5; n++) {
                assertThat(held.get(n - 1).get(WAIT.toSeconds(), TimeUnit.SECONDS).get(0).asInt()).isEqualTo(n);
            }
            assertThat(next.handledOf(ids.get(0))).containsExactly(1, 2, 3, 4, 5);
            SequenceHandler.Recovery recovery = next.recoveries.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(recovery).isNotNull();
            assertThat(recovery.socketId()).isEqualTo(ids.get(0));
            assertThat(recovery.reason()).isEqualTo("backend instance left");
            assertThat(recovery.rooms()).contains("kept");
            assertThat(clients.lines()).noneMatch(line -> "disconnect".equals(line.path("type").asText()));
        }
    }

    @Test
    void withNoInstanceLeftTheWorkerHoldsABoundedNumberOfEventBytesOverAllItsSockets() throws Exception {
        try (ChatCluster cluster = new ChatCluster(); NodeClients clients = new NodeClients()) {
            // room for two of the events below, whichever sockets send them
            ConfigurableApplicationContext workerContext = cluster.worker("w1",
                    List.of("distributor.worker.held-events-size=1KB"), SequenceHandler.class);
            DistributorWorker worker = workerContext.getBean(DistributorWorker.class);
            ConfigurableApplicationContext only = cluster.backend(SequenceHandler.class);
            connect(clients, ChatCluster.url(workerContext), 2);
            only.close();

            String text = "t".repeat(400);
            CompletableFuture<List<JsonNode>> first = clients.emitWithAck(Duration.ofSeconds(60), "c0", "text", text);
            CompletableFuture<List<JsonNode>> second = clients.emitWithAck(Duration.ofSeconds(60), "c1", "text", text);
            // each is held as its JSON arguments, ["ttt..."]
            await().atMost(WAIT).until(() -> worker.heldEventBytes() == 2 * (text.length() + 4));

            // the socket's own limit (100 events) is far off: the worker's bytes are not
            List<JsonNode> refused = clients.emitWithAck("c0", "text", text).get(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(refused.get(0).path("error").path("message").asText())
                    .contains("distributor.worker.held-events-size").contains("limit 1024 bytes");
            assertThat(first).isNotDone();
            assertThat(second).isNotDone();

            SequenceHandler next = cluster.backend(SequenceHandler.class).getBean(SequenceHandler.class);
            assertThat(first.get(WAIT.toSeconds(), TimeUnit.SECONDS).get(0).asInt()).isEqualTo(text.length());
            assertThat(second.get(WAIT.toSeconds(), TimeUnit.SECONDS).get(0).asInt()).isEqualTo(text.length());
            // what waited went out, and gave its bytes back
            assertThat(worker.heldEventBytes()).isZero();
            assertThat(next.texts).hasSize(2);
        }
    }

    @Test
    void aSocketThatGaveUpWaitingForAnInstanceIsNeverIntroducedToTheOneThatComes() throws Exception {
        try (ChatCluster cluster = new ChatCluster(); NodeClients clients = new NodeClients()) {
            String url = ChatCluster.url(cluster.worker("w1", List.of("distributor.worker.connect-timeout=1s"),
                    SequenceHandler.class));
            clients.connect("gone", url, "/seq", Map.of("name", "gone"), Map.of("reconnection", false));
            // the worker's connect timeout ended the socket while no instance served /seq
            assertThat(clients.awaitConnectError("gone").toString()).contains("did not answer");

            SequenceHandler next = cluster.backend(SequenceHandler.class).getBean(SequenceHandler.class);
            String socketId = connect(clients, url, 1).get(0);
            assertThat(clients.emitWithAck("c0", "n", 1).get(WAIT.toSeconds(), TimeUnit.SECONDS).get(0).asInt())
                    .isEqualTo(1);
            assertThat(next.connected).as("sockets whose connect the instance handled").containsExactly(socketId);
        }
    }

    @Test
    void withNoInstanceLeftAndTheDisconnectPolicySocketsAreDisconnectedAndNewOnesRefused() throws Exception {
        try (ChatCluster cluster = new ChatCluster(); NodeClients clients = new NodeClients()) {
            String url = ChatCluster.url(cluster.worker("w1", List.of("distributor.worker.when-no-backend=disconnect"),
                    SequenceHandler.class));
            ConfigurableApplicationContext only = cluster.backend(SequenceHandler.class);
            connect(clients, url, 1);
            only.close();

            assertThat(clients.awaitDisconnect("c0").path("reason").asText()).isEqualTo("io server disconnect");
            clients.connect("late", url, "/seq", Map.of("name", "late"), Map.of("reconnection", false));
            assertThat(clients.awaitConnectError("late").toString()).contains("no backend instance serves the namespace");
        }
    }

    /** Holds a socket's event until released: the instance is busy with it when asked to let the socket go. */
    @SocketNamespace("/latched")
    public static class LatchedHandler {

        final CountDownLatch release = new CountDownLatch(1);
        final Set<String> holding = ConcurrentHashMap.newKeySet();
        final Map<String, String> disconnected = new ConcurrentHashMap<>();
        final Set<String> recovered = ConcurrentHashMap.newKeySet();

        @OnEvent("hold")
        public void hold(IndirectSocket socket) throws InterruptedException {
            holding.add(socket.id());
            release.await(WAIT.toSeconds(), TimeUnit.SECONDS);
        }

        @OnRecover
        public void recovered(RemoteSocket socket) {
            recovered.add(socket.id());
        }

        @OnDisconnect
        public void disconnected(IndirectSocket socket, String reason) {
            disconnected.put(socket.id(), reason);
        }
    }

    /**
     * A socket on an instance that stops while busy with the socket's event, and another instance to take it: the
     * worker has asked the stopping one for the release (which waits behind the event) when this returns. The
     * worker's hand-over timeout is far longer than any test waits, so only the release moves the socket.
     */
    private record HandOver(ConfigurableApplicationContext worker, LatchedHandler leaving, LatchedHandler next,
            String socketId, CompletableFuture<Void> stopping) {

        static HandOver underWay(ChatCluster cluster, NodeClients clients) {
            ConfigurableApplicationContext workerContext = cluster.worker("w1",
                    List.of("distributor.worker.handover-timeout=10m"), LatchedHandler.class);
            DistributorWorker worker = workerContext.getBean(DistributorWorker.class);
            ConfigurableApplicationContext leavingContext = cluster.backend(LatchedHandler.class);
            LatchedHandler leaving = leavingContext.getBean(LatchedHandler.class);
            String leavingId = leavingContext.getBean(DistributorBackend.class).id();
            clients.connect("c", ChatCluster.url(workerContext), "/latched");
            String id = clients.awaitConnect("c").get("socketId").asText();
            LatchedHandler next = cluster.backend(LatchedHandler.class).getBean(LatchedHandler.class);

            clients.emit("c", "hold");
            await().atMost(WAIT).until(() -> leaving.holding.contains(id));
            long forwarded = worker.stats().messagesForwarded();
            CompletableFuture<Void> stopping = CompletableFuture.runAsync(leavingContext::close);
            // the worker asked for the release (the only message it has to send now, the client being idle)
            await().atMost(WAIT).until(() -> !worker.backendInstances().get("/latched").contains(leavingId)
                    && worker.stats().messagesForwarded() > forwarded);
            return new HandOver(workerContext, leaving, next, id, stopping);
        }
    }

    @Test
    void aClientThatLeavesWhileItsSocketIsHandedOverIsNotLeftWaitingForTheHandOverTimeout() throws Exception {
        try (ChatCluster cluster = new ChatCluster(); NodeClients clients = new NodeClients()) {
            HandOver handOver = HandOver.underWay(cluster, clients);

            clients.disconnect("c");
            handOver.leaving().release.countDown();

            // the next instance takes the socket over, and hears it left
            await().atMost(WAIT).until(() -> handOver.next().disconnected.containsKey(handOver.socketId()));
            assertThat(handOver.leaving().disconnected).doesNotContainKey(handOver.socketId());
            handOver.stopping().get(WAIT.toSeconds(), TimeUnit.SECONDS);
        }
    }

    @Test
    void aReleaseFromAnotherInstanceThanTheOneLeavingDoesNotMoveTheSocket() throws Exception {
        // a late release from an earlier owner (Lettuce resends a command around a reconnect), forged here
        try (ChatCluster cluster = new ChatCluster(); NodeClients clients = new NodeClients()) {
            HandOver handOver = HandOver.underWay(cluster, clients);
            RedisMessageBus bus = handOver.worker().getBean(RedisMessageBus.class);
            DroppedMessages dropped = bus.dropped();
            long late = dropped.count(Cause.LATE_REPLY);

            bus.publish(new ChannelNames("sio").worker("w1"), new SocketReleased("/latched", handOver.socketId(),
                    "an-earlier-owner"));
            await().atMost(WAIT).until(() -> dropped.count(Cause.LATE_REPLY) == late + 1);

            // the socket stays with the instance that is letting it go until that one has
            assertThat(handOver.next().recovered).isEmpty();
            handOver.leaving().release.countDown();
            await().atMost(WAIT).until(() -> handOver.next().recovered.contains(handOver.socketId()));
            handOver.stopping().get(WAIT.toSeconds(), TimeUnit.SECONDS);
        }
    }

    private static List<String> connect(NodeClients clients, String url, int count) {
        List<String> ids = new ArrayList<>();
        for (int c = 0; c < count; c++) {
            clients.connect("c" + c, url, "/seq", Map.of("name", "c" + c), null);
        }
        for (int c = 0; c < count; c++) {
            ids.add(clients.awaitConnect("c" + c).get("socketId").asText());
        }
        return ids;
    }

    private static Set<String> union(Set<String> first, Set<String> second) {
        Set<String> all = new HashSet<>(first);
        all.addAll(second);
        return all;
    }
}
