package io.github.siodistributor.core.engine;

import static io.github.siodistributor.core.engine.EngineConnections.body;
import static io.github.siodistributor.core.engine.EngineConnections.post;
import static io.github.siodistributor.core.engine.EngineConnections.request;
import static io.github.siodistributor.core.engine.EngineConnections.responses;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

/**
 * A long-polling client whose packets the layer above cannot pass on as fast as they come (it holds the session's
 * reads) is slowed as a WebSocket client is: its POST is answered, and its connection read again, once the hold
 * ends. The client sends its next POST only then; one sent before is refused, as Engine.IO allows one at a time.
 */
class PollingReadHoldTest {

    /** Holds the session's reads at its first message, as the worker does at too many unanswered publishes. */
    private final EngineConnections.Recorder listener = new EngineConnections.Recorder() {
        @Override
        public void onMessage(EngineSession session, Frame message) {
            super.onMessage(session, message);
            if (messages.size() == 1) {
                session.holdReads();
            }
        }
    };
    private final EngineServer engine = new EngineServer(EngineSettings.defaults(), listener);

    @Test
    void aPostIsAnsweredOnceTheHoldEnds() {
        EmbeddedChannel channel = connection();
        EngineSession session = open(channel);

        String whileHeld = post(channel, "POST /socket.io/?EIO=4&transport=polling&sid=" + session.id(),
                "4a\u001e4b");
        assertThat(whileHeld).as("no answer while held").isEmpty();
        assertThat(listener.messages).as("what was posted is still delivered").hasSize(2);
        assertThat(channel.config().isAutoRead()).as("its connection is not read while held").isFalse();

        session.releaseReads();
        channel.runPendingTasks();
        assertThat(body(responses(channel))).isEqualTo("ok");
        assertThat(channel.config().isAutoRead()).isTrue();
        assertThat(session.isOpen()).isTrue();
    }

    @Test
    void aPostNotHeldIsAnsweredAtOnce() {
        EmbeddedChannel channel = connection();
        EngineSession session = open(channel);
        session.holdReads();
        session.releaseReads();

        String answer = post(channel, "POST /socket.io/?EIO=4&transport=polling&sid=" + session.id(), "2");
        assertThat(body(answer)).isEqualTo("ok");
    }

    @Test
    void aSecondPostWhileTheFirstIsHeldEndsTheSession() {
        EmbeddedChannel first = connection();
        EngineSession session = open(first);
        assertThat(post(first, "POST /socket.io/?EIO=4&transport=polling&sid=" + session.id(), "4a")).isEmpty();

        EmbeddedChannel second = connection();
        String overlapping = post(second, "POST /socket.io/?EIO=4&transport=polling&sid=" + session.id(), "4b");
        first.runPendingTasks();
        second.runPendingTasks();

        assertThat(overlapping).startsWith("HTTP/1.1 400 ");
        assertThat(listener.closeReasons()).containsExactly("transport error");
        assertThat(listener.messages).as("the overlapping POST's packets are not delivered").hasSize(1);
        assertThat(body(responses(first))).as("the held POST's packets were taken: it is answered").isEqualTo("ok");
        assertThat(first.config().isAutoRead()).isTrue();
    }

    private EmbeddedChannel connection() {
        EmbeddedChannel channel = new EmbeddedChannel();
        engine.initChannel(channel);
        return channel;
    }

    private EngineSession open(EmbeddedChannel channel) {
        String open = body(request(channel, "GET /socket.io/?EIO=4&transport=polling"));
        String sid = open.substring("0{\"sid\":\"".length(), open.indexOf('"', "0{\"sid\":\"".length()));
        EngineSession session = engine.session(sid);
        assertThat(session).isNotNull();
        return session;
    }
}
