package io.github.siodistributor.samples.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.siodistributor.core.protocol.ChannelNames;
import io.github.siodistributor.core.protocol.Message;
import io.github.siodistributor.core.protocol.Message.ConnectDecision;
import io.github.siodistributor.core.protocol.Message.InstanceAnnouncement;
import io.github.siodistributor.core.protocol.Message.SocketConnected;
import io.github.siodistributor.core.protocol.Message.SocketDisconnected;
import io.github.siodistributor.core.protocol.SocketIds;
import io.github.siodistributor.core.protocol.WorkerRun;
import io.github.siodistributor.core.transport.BackendRegistry;
import io.github.siodistributor.core.transport.DroppedMessages;
import io.github.siodistributor.core.transport.DroppedMessages.Cause;
import io.github.siodistributor.core.transport.RedisMessageBus;
import io.github.siodistributor.core.worker.DistributorWorker;
import io.github.siodistributor.testsupport.NodeClients;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * A worker lets a connecting socket in, or turns it away, only on the word of the backend instance the socket is
 * assigned to: an instance the socket moved away from (presumed dead, but only paused) that decides late is not
 * heard. The test plays the backend instance on the worker's Redis.
 */
class ConnectDecisionOwnerTest {

    private static final String INSTANCE = "played-instance";

    /** The played backend instance's own Redis connections, on the cluster's Redis. */
    private record PlayedInstance(LettuceConnectionFactory factory, RedisMessageBus bus) implements AutoCloseable {

        static PlayedInstance on(ChatCluster cluster) {
            LettuceConnectionFactory factory = new LettuceConnectionFactory(new RedisStandaloneConfiguration(
                    cluster.redis().host(), cluster.redis().port()));
            factory.afterPropertiesSet();
            factory.start();
            return new PlayedInstance(factory, new RedisMessageBus(factory, new DroppedMessages()));
        }

        @Override
        public void close() {
            bus.close();
            factory.destroy();
        }
    }

    @Test
    void aDecisionFromAnotherInstanceThanTheSocketsIsDroppedAndCounted() throws Exception {
        try (ChatCluster cluster = new ChatCluster(); NodeClients clients = new NodeClients();
                PlayedInstance played = PlayedInstance.on(cluster)) {
            ConfigurableApplicationContext worker = cluster.worker("w1");
            DroppedMessages dropped = worker.getBean(DroppedMessages.class);
            ChannelNames channels = new ChannelNames("sio");
            LettuceConnectionFactory factory = played.factory();
            RedisMessageBus bus = played.bus();
            bus.subscribe(channels.instance(INSTANCE), message -> {
                if (message instanceof SocketConnected connected) {
                    String owner = channels.worker(SocketIds.workerOf(connected.socketId()));
                    // a refusal from an instance the socket is not assigned to, then the owner's welcome
                    bus.publish(owner, new ConnectDecision(connected.namespace(), connected.socketId(),
                            "paused-instance", false, "stale refusal", new byte[0]));
                    bus.publish(owner, new ConnectDecision(connected.namespace(), connected.socketId(), INSTANCE,
                            true, "", new byte[0]));
                }
            });
            bus.start();
            new BackendRegistry(factory, channels).heartbeat(INSTANCE, List.of("/chat"), Duration.ofMinutes(1));
            bus.publish(channels.instances(), new InstanceAnnouncement("/chat", INSTANCE, false)).join();
            DistributorWorker distributor = worker.getBean(DistributorWorker.class);
            await().atMost(Duration.ofSeconds(10)).until(() -> distributor.backendInstances().get("/chat")
                    .equals(List.of(INSTANCE)));

            clients.connect("c", ChatCluster.url(worker), "/chat", Map.of("name", "c"), null);

            clients.awaitConnect("c");
            assertThat(dropped.count(Cause.LATE_REPLY)).isEqualTo(1);
        }
    }

    /**
     * A connect delivered twice to a backend, refused the first time and let in the second: the socket is gone on
     * the worker, which tells the instance so, lest it hold the socket for good. Not for a socket of another run of
     * the worker's id, which may be live on that run.
     */
    @Test
    void aWelcomeForASocketTheWorkerNoLongerHasIsAnsweredWithItsDisconnect() throws Exception {
        try (ChatCluster cluster = new ChatCluster(); PlayedInstance played = PlayedInstance.on(cluster)) {
            ConfigurableApplicationContext worker = cluster.worker("w1");
            DroppedMessages dropped = worker.getBean(DroppedMessages.class);
            ChannelNames channels = new ChannelNames("sio");
            RedisMessageBus bus = played.bus();
            BlockingQueue<Message> heard = new LinkedBlockingQueue<>();
            bus.subscribe(channels.instance(INSTANCE), heard::add);
            bus.start();
            String gone = worker.getBean(DistributorWorker.class).run().socketId("gone00000001");
            // the welcome of a socket of a later run of the id, read by this one before it learnt it was taken
            String laterRuns = new WorkerRun("w1", "later001").socketId("live00000001");
            bus.publish(channels.worker("w1"), new ConnectDecision("/chat", laterRuns, INSTANCE, true, "",
                    new byte[0])).join();

            bus.publish(channels.worker("w1"), new ConnectDecision("/chat", gone, INSTANCE, true, "", new byte[0]))
                    .join();

            assertThat(heard.poll(10, TimeUnit.SECONDS)).isEqualTo(new SocketDisconnected("/chat", gone,
                    "transport close"));
            assertThat(dropped.count(Cause.UNKNOWN_SOCKET)).isEqualTo(2);
            // a refusal of a socket gone already needs no answer
            bus.publish(channels.worker("w1"), new ConnectDecision("/chat", gone, INSTANCE, false, "no",
                    new byte[0])).join();
            await().atMost(Duration.ofSeconds(10)).until(() -> dropped.count(Cause.UNKNOWN_SOCKET) == 3);
            assertThat(heard).as("nothing for the later run's socket, nor for the refusal").isEmpty();
        }
    }
}
