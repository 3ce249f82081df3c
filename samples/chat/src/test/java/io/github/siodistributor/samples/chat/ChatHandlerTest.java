package io.github.siodistributor.samples.chat;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.siodistributor.test.DistributorTest;
import io.github.siodistributor.test.DistributorTestClient;
import io.github.siodistributor.test.Received;
import io.github.siodistributor.test.TestSocket;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * The chat handler as an application tests its own handlers: {@link DistributorTest} starts the sample with
 * a worker, the backend and an embedded Redis on free ports, and the injected client talks to it.
 */
@DistributorTest
class ChatHandlerTest {

    @Autowired
    DistributorTestClient client;

    @Test
    void roomMembersSeeEachOthersMessagesAndPresenceAndTheOnlineListComesFromTheWorkers() {
        TestSocket ada = client.connect("/chat", Map.of("name", "Ada"));
        TestSocket bob = client.connect("/chat", Map.of("name", "Bob"));
        TestSocket cleo = client.connect("/chat", Map.of("name", "Cleo"));
        assertThat(ada.emitWithAck("join", "kitchen").arg(0).asString()).isEqualTo("kitchen");
        bob.emitWithAck("join", "kitchen");
        cleo.emitWithAck("join", "garden");

        assertThat(ada.awaitEvent("presence").arg(0, ChatHandler.Presence.class))
                .isEqualTo(new ChatHandler.Presence("kitchen", "Bob", "joined"));
        assertThat(online(ada, "kitchen")).containsExactly(new ChatHandler.Online(ada.id(), "Ada"),
                new ChatHandler.Online(bob.id(), "Bob"));
        assertThat(online(cleo, "garden")).containsExactly(new ChatHandler.Online(cleo.id(), "Cleo"));

        assertThat(ada.emitWithAck("say", new ChatHandler.Say("kitchen", "tea?")).arg(0).asBoolean()).isTrue();
        for (TestSocket member : List.of(ada, bob)) {
            assertThat(member.awaitEvent("said").arg(0, ChatHandler.Said.class))
                    .isEqualTo(new ChatHandler.Said("kitchen", "Ada", "tea?", ada.id()));
        }
        // published after Ada's: had Cleo got Ada's message, it would have come first
        cleo.emitWithAck("say", new ChatHandler.Say("garden", "roses"));
        assertThat(cleo.awaitEvent("said").arg(0, ChatHandler.Said.class).text()).isEqualTo("roses");
        assertThat(cleo.received("said")).hasSize(1);
        assertThat(cleo.received("presence")).isEmpty();

        bob.emitWithAck("leave", "kitchen");
        assertThat(ada.awaitEvent("presence").arg(0, ChatHandler.Presence.class))
                .isEqualTo(new ChatHandler.Presence("kitchen", "Bob", "left"));
        assertThat(online(ada, "kitchen")).extracting(ChatHandler.Online::name).containsExactly("Ada");

        bob.disconnect();
        // Bob's rooms are gone with him: everyone refreshes what they look at
        assertThat(ada.awaitEvent("presence").arg(0, ChatHandler.Presence.class))
                .isEqualTo(new ChatHandler.Presence(null, "Bob", "left"));
    }

    private static List<ChatHandler.Online> online(TestSocket socket, String room) {
        Received answer = socket.emitWithAck("online", room);
        return Arrays.asList(answer.arg(0, ChatHandler.Online[].class));
    }
}
