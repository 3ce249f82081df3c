package io.github.siodistributor.core.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReplyPartsTest {

    private static final long HALF = ReplyParts.PART_SIZE / 2;

    @Test
    void noItemsMakeOneEmptyPart() {
        assertThat(ReplyParts.split(List.<Long>of(), size -> size, ReplyParts.PART_SIZE)).containsExactly(List.of());
    }

    @Test
    void itemsStayInOrderAndEachPartStaysWithinThePartSize() {
        List<Long> sizes = List.of(HALF, HALF, 1L, HALF - 1, 2L, ReplyParts.PART_SIZE, 3L);

        List<List<Long>> parts = ReplyParts.split(sizes, size -> size, ReplyParts.PART_SIZE);

        assertThat(parts).containsExactly(List.of(HALF, HALF), List.of(1L, HALF - 1, 2L),
                List.of(ReplyParts.PART_SIZE), List.of(3L));
    }

    @Test
    void partsShrinkToAQuarterOfASmallMessageLimit() {
        assertThat(ReplyParts.partSize(8L * 1024 * 1024)).isEqualTo(ReplyParts.PART_SIZE);
        assertThat(ReplyParts.partSize(200_000)).isEqualTo(50_000);
        assertThat(ReplyParts.split(List.of(30_000L, 30_000L, 20_000L), size -> size, 50_000))
                .containsExactly(List.of(30_000L), List.of(30_000L, 20_000L));
    }

    @Test
    void aStringCountsItsUtf8Bytes() {
        // with its 4-byte length prefix
        assertThat(ReplyParts.size("abc")).isEqualTo(7);
        assertThat(ReplyParts.size("é")).isEqualTo(6);
        assertThat(ReplyParts.size("日本")).isEqualTo(10);
        assertThat(ReplyParts.size("😀")).isEqualTo(8);
        for (String text : List.of("abc", "é", "日本", "😀", "mixed é 日本 😀")) {
            assertThat(ReplyParts.size(text)).isEqualTo(4 + text.getBytes(java.nio.charset.StandardCharsets.UTF_8)
                    .length);
        }
    }

    @Test
    void anItemLargerThanAPartMakesAPartByItself() {
        long huge = 3 * ReplyParts.PART_SIZE;

        assertThat(ReplyParts.split(List.of(1L, huge, 2L), size -> size, ReplyParts.PART_SIZE))
                .containsExactly(List.of(1L), List.of(huge), List.of(2L));
    }

    @Test
    void aSocketsSizeCountsWhatMakesItLarge() {
        Handshake small = new Handshake(Map.of(), Map.of(), new byte[0], "a", "/", 0);
        Handshake bigHeader = new Handshake(Map.of("cookie", List.of("c".repeat(10_000))), Map.of(), new byte[0],
                "a", "/", 0);
        Handshake bigAuth = new Handshake(Map.of(), Map.of(), new byte[10_000], "a", "/", 0);
        byte[] none = "null".getBytes(java.nio.charset.StandardCharsets.UTF_8);

        long base = ReplyParts.size(new Message.SocketInfo("w.1", small, List.of("w.1"), none));

        assertThat(ReplyParts.size(new Message.SocketInfo("w.1", bigHeader, List.of("w.1"), none)))
                .isGreaterThan(base + 10_000);
        assertThat(ReplyParts.size(new Message.SocketInfo("w.1", bigAuth, List.of("w.1"), none)))
                .isGreaterThanOrEqualTo(base + 10_000);
        assertThat(ReplyParts.size(new Message.SocketInfo("w.1", small, List.of("w.1"), new byte[10_000])))
                .isGreaterThan(base + 9_000);
        assertThat(ReplyParts.size(new Message.SocketInfo("w.1", small, List.of("w.1", "r".repeat(10_000)), none)))
                .isGreaterThan(base + 10_000);
    }

    @Test
    void theSizeOfADescriptionIsNoLessThanItsEncoding() {
        Handshake handshake = new Handshake(Map.of("user-agent", List.of("Mozilla/5.0"), "x", List.of("1", "2")),
                Map.of("EIO", List.of("4")), "{\"token\":\"t\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8),
                "127.0.0.1:5000", "/socket.io/?EIO=4", 1_700_000_000_000L);
        Message.SocketInfo socket = new Message.SocketInfo("w.0123456789", handshake, List.of("w.0123456789", "lobby"),
                "{\"name\":\"x\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        int emptyReply = MessageCodec.encode(new Message.SocketsFetched("/n", "w", 1, 0, 1, List.of())).length;

        int encoded = MessageCodec.encode(new Message.SocketsFetched("/n", "w", 1, 0, 1, List.of(socket))).length
                - emptyReply;

        assertThat(ReplyParts.size(socket)).isGreaterThanOrEqualTo(encoded);
    }
}
