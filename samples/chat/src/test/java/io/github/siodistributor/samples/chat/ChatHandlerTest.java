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

        bob.emitWithAck("join", "garden");
        assertThat(cleo.awaitEvent("presence").arg(0, ChatHandler.Presence.class))
                .isEqualTo(new ChatHandler.Presence("garden", "Bob", "joined"));
        bob.disconnect();
        // Bob's rooms are gone with him: the rooms he was in refresh what they show, and no other
        assertThat(cleo.awaitEvent("presence").arg(0, ChatHandler.Presence.class))
                .isEqualTo(new ChatHandler.Presence(null, "Bob", "left"));
        ada.emitWithAck("say", new ChatHandler.Say("kitchen", "gone?"));
        assertThat(ada.awaitEvent("said").arg(0, ChatHandler.Said.class).text()).isEqualTo("gone?");
        // published after Bob's leaving: had Ada got it, it would have come first
        assertThat(ada.received("presence")).hasSize(2);
    }

    /** What a client sends is checked: the ack says why it was refused. */
    @Test
    void roomNamesMessagesAndRoomsAreCheckedAndASocketSpeaksOnlyToRoomsItJoined() {
        TestSocket eve = client.connect("/chat", Map.of("name", "Eve".repeat(20)));
        assertThat(eve.emitWithAck("whoami").arg(0).get("name").asString()).hasSize(ChatHandler.MAX_NAME);
        TestSocket victim = client.connect("/chat", Map.of("name", "Vic"));
        for (String bad : List.of(victim.id(), "two words", "#lobby", "x".repeat(33), "")) {
            assertThat(refusal(eve.emitWithAck("join", bad))).as(bad).contains("a room name is");
        }
        assertThat(refusal(eve.emitWithAck("join"))).contains("a room name is");

        victim.emitWithAck("join", "private");
        assertThat(refusal(eve.emitWithAck("say", new ChatHandler.Say("private", "hi")))).contains("join #private");
        assertThat(refusal(eve.emitWithAck("online", "private"))).contains("join #private");
        assertThat(refusal(eve.emitWithAck("say"))).contains("nothing to say");
        eve.emitWithAck("join", "mine");
        assertThat(refusal(eve.emitWithAck("say", new ChatHandler.Say("mine", "x".repeat(501))))).contains("500");

        for (int i = 1; i < ChatHandler.MAX_ROOMS; i++) {
            assertThat(eve.emitWithAck("join", "room-" + i).arg(0).asString()).isEqualTo("room-" + i);
        }
        assertThat(refusal(eve.emitWithAck("join", "one-more"))).contains("in 20 rooms already");
        eve.emitWithAck("leave", "room-1");
        assertThat(eve.emitWithAck("join", "one-more").arg(0).asString()).isEqualTo("one-more");
        assertThat(victim.received("said")).isEmpty();

        // a page that reconnects names its rooms in its auth: in them from its connect on, bad names left out
        TestSocket back = client.connect("/chat", Map.of("name", "Back", "rooms", "mine,two words," + victim.id()));
        assertThat(online(back, "mine")).extracting(ChatHandler.Online::name)
                .containsExactly("Back", "Eve".repeat(20).substring(0, ChatHandler.MAX_NAME));
        assertThat(refusal(back.emitWithAck("online", victim.id()))).contains("a room name is");
    }

    private static String refusal(Received answer) {
        assertThat(answer.arg(0).has("error")).as("an error answer: %s", answer.arg(0)).isTrue();
        return answer.arg(0).get("error").get("message").asString();
    }

    private static List<ChatHandler.Online> online(TestSocket socket, String room) {
        Received answer = socket.emitWithAck("online", room);
        return Arrays.asList(answer.arg(0, ChatHandler.Online[].class));
    }
}
