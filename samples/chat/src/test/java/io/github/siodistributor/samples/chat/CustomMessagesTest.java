package io.github.siodistributor.samples.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.siodistributor.core.protocol.Message.Custom;
import io.github.siodistributor.core.transport.CustomMessageListener;
import io.github.siodistributor.core.transport.CustomMessages;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The application's custom messages ({@link CustomMessages}, {@link CustomMessageListener} beans) between
 * two workers and two backends on one real Redis. Listener beans of topic "reload" live in both workers
 * (worker w1 has two) and in one backend; the other backend has none:
 * <ul>
 *   <li>listener beans are subscribed on start-up in either role;</li>
 *   <li>a message reaches every listener of its topic exactly once, the sender's own included, with the
 *       body, the topic and the sender id (the worker id in a worker, another id in a backend-only process);</li>
 *   <li>publish completes with the number of processes listening to the topic, whatever the number of
 *       listeners in each, and a process without listeners may publish;</li>
 *   <li>topics are separate.</li>
 * </ul>
 */
class CustomMessagesTest {

    private static final long WAIT_SECONDS = 20;

    private static ChatCluster cluster;
    private static ConfigurableApplicationContext w1;
    private static ConfigurableApplicationContext w2;
    private static ConfigurableApplicationContext backend;
    private static ConfigurableApplicationContext quietBackend;

    /** Records the "reload" messages of its process. */
    public static class ReloadListener extends RecordingListener {
        public ReloadListener() {
            super("reload");
        }
    }

    /** A second listener of "reload" in one process. */
    public static class AuditListener extends RecordingListener {
        public AuditListener() {
            super("reload");
        }
    }

    /** Records the messages of one topic. */
    abstract static class RecordingListener implements CustomMessageListener {
        private final String topic;
        final List<Custom> received = new CopyOnWriteArrayList<>();

        RecordingListener(String topic) {
            this.topic = topic;
        }

        @Override
        public String topic() {
            return topic;
        }

        @Override
        public void onMessage(Custom message) {
            received.add(message);
        }
    }

    @BeforeAll
    static void startCluster() {
        cluster = new ChatCluster("customtest");
        w1 = cluster.worker("w1", ReloadListener.class, AuditListener.class);
        w2 = cluster.worker("w2", ReloadListener.class);
        backend = cluster.backend(ReloadListener.class);
        quietBackend = cluster.backend();
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
            cluster = null;
        }
    }

    @Test
    void aBackendsMessageReachesEveryListenerOnceItsOwnIncluded() throws Exception {
        byte[] body = {0, -1, 42, (byte) 0x80, 10};
        CustomMessages messages = backend.getBean(CustomMessages.class);
        assertThat(messages.senderId()).startsWith("backend-");

        // three processes listen, one of them with two listeners
        assertThat(messages.publish("reload", body).get(WAIT_SECONDS, TimeUnit.SECONDS)).isEqualTo(3);
        // after the first on the same channel: once a listener has it, it had the first
        messages.publish("reload", "marker-1");

        for (List<Custom> received : allReceived()) {
            awaitText(received, "marker-1");
            List<Custom> withBody = received.stream().filter(m -> Arrays.equals(m.body(), body)).toList();
            assertThat(withBody).hasSize(1).allSatisfy(message -> {
                assertThat(message.topic()).isEqualTo("reload");
                assertThat(message.senderId()).isEqualTo(messages.senderId());
            });
        }
    }

    @Test
    void aWorkersMessageCarriesItsWorkerId() throws Exception {
        CustomMessages messages = w2.getBean(CustomMessages.class);
        assertThat(messages.senderId()).isEqualTo("w2");

        assertThat(messages.publish("reload", "from w2 ✓").get(WAIT_SECONDS, TimeUnit.SECONDS)).isEqualTo(3);

        for (List<Custom> received : allReceived()) {
            Custom message = awaitText(received, "from w2 ✓");
            assertThat(message.senderId()).isEqualTo("w2");
        }
    }

    @Test
    void aProcessWithoutListenersPublishesToTheOthers() throws Exception {
        CustomMessages messages = quietBackend.getBean(CustomMessages.class);
        assertThat(messages.senderId()).startsWith("backend-")
                .isNotEqualTo(backend.getBean(CustomMessages.class).senderId());

        assertThat(messages.publish("reload", "from the quiet one").get(WAIT_SECONDS, TimeUnit.SECONDS)).isEqualTo(3);

        for (List<Custom> received : allReceived()) {
            assertThat(awaitText(received, "from the quiet one").senderId()).isEqualTo(messages.senderId());
        }
    }

    @Test
    void topicsAreSeparate() throws Exception {
        CustomMessages messages = w1.getBean(CustomMessages.class);

        assertThat(messages.publish("other", "not for reload").get(WAIT_SECONDS, TimeUnit.SECONDS)).isZero();
        // Redis delivers to each subscriber connection (one per process) in publish order: once the
        // marker is in, a misrouted "other" would be in too
        messages.publish("reload", "marker-2").get(WAIT_SECONDS, TimeUnit.SECONDS);
        for (List<Custom> received : allReceived()) {
            awaitText(received, "marker-2");
            assertThat(received).noneMatch(message -> message.topic().equals("other")
                    || text(message).equals("not for reload"));
        }
    }

    /** What each of the four listeners received so far. */
    private static List<List<Custom>> allReceived() {
        return List.of(w1.getBean(ReloadListener.class).received, w1.getBean(AuditListener.class).received,
                w2.getBean(ReloadListener.class).received, backend.getBean(ReloadListener.class).received);
    }

    private static Custom awaitText(List<Custom> received, String text) {
        await().atMost(Duration.ofSeconds(WAIT_SECONDS)).until(() -> received.stream()
                .anyMatch(message -> text(message).equals(text)));
        List<Custom> matching = received.stream().filter(message -> text(message).equals(text)).toList();
        assertThat(matching).as("messages '%s'", text).hasSize(1);
        return matching.get(0);
    }

    private static String text(Custom message) {
        return new String(message.body(), StandardCharsets.UTF_8);
    }
}
