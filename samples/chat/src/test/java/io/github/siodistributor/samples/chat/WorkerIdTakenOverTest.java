package io.github.siodistributor.samples.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.siodistributor.core.protocol.ChannelNames;
import io.github.siodistributor.core.transport.WorkerLeases;
import io.github.siodistributor.core.worker.DistributorWorker;
import io.github.siodistributor.testsupport.NodeClients;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;

/**
 * A worker whose id another worker took while it could not renew its lease (a pause or a cut from Redis longer
 * than the TTL, then a second worker started with the same id): the id's channel and sockets are the other
 * worker's now. At its next renewal it sends its clients away (their backend hears why), stops listening, so
 * that they reconnect elsewhere, and stays down instead of renewing and failing over and over.
 */
class WorkerIdTakenOverTest {

    @Test
    void aWorkerWhoseIdWasTakenOverSendsItsClientsAwayAndStopsListening() throws Exception {
        try (ChatCluster cluster = new ChatCluster(); NodeClients clients = new NodeClients()) {
            RecordingHandler recorder = cluster.backend(RecordingHandler.class).getBean(RecordingHandler.class);
            ConfigurableApplicationContext worker = cluster.worker("twin", List.of("distributor.worker.lease-ttl=600ms"),
                    RecordingHandler.class);
            String url = ChatCluster.url(worker);
            clients.connect("first", url, "/recorded", null, null);
            String socketId = clients.awaitConnect("first").get("socketId").asText();
            clients.emitWithAck("first", "join", "r1").get(20, TimeUnit.SECONDS);

            // what the other worker's start does once this one's lease has expired
            StringRedisTemplate redis = new StringRedisTemplate(worker.getBean(RedisConnectionFactory.class));
            redis.opsForValue().set(new ChannelNames("sio").workerLease("twin"), "the other worker's token",
                    Duration.ofMinutes(1));

            assertThat(clients.awaitDisconnect("first").get("reason").asText()).isEqualTo("transport close");
            RecordingHandler.Disconnect disconnect = recorder.disconnects.poll(20, TimeUnit.SECONDS);
            assertThat(disconnect).isNotNull();
            assertThat(disconnect.socketId()).isEqualTo(socketId);
            assertThat(disconnect.reason()).isEqualTo(DistributorWorker.TAKEN_OVER);

            clients.connect("second", url, "/recorded", null, null);
            assertThat(clients.awaitConnectError("second").toString()).as("nothing listens any more")
                    .contains("xhr poll error");
            WorkerLeases.LeaseState lease = worker.getBean(WorkerLeases.class).held("twin").orElseThrow().state();
            assertThat(lease.held()).isFalse();
            assertThat(lease.detail()).contains("taken over");
            assertThat(redis.opsForValue().get(new ChannelNames("sio").workerLease("twin")))
                    .isEqualTo("the other worker's token");
            await().atMost(Duration.ofSeconds(10)).until(() -> worker.getBean(DistributorWorker.class).engine()
                    .sessionCount() == 0);
        }
    }
}
