package io.github.siodistributor.core.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** HTTP/1.1 by hand against an engine's pipeline on an {@link EmbeddedChannel}. */
final class EngineConnections {

    private EngineConnections() {
    }

    /** Sends one HTTP/1.1 request and returns whatever the server wrote back so far. */
    static String request(EmbeddedChannel channel, String requestLine, String... headers) {
        StringBuilder request = new StringBuilder(requestLine).append(" HTTP/1.1\r\nHost: localhost\r\n");
        for (String header : headers) {
            request.append(header).append("\r\n");
        }
        channel.writeInbound(Unpooled.copiedBuffer(request.append("\r\n").toString(), StandardCharsets.US_ASCII));
        channel.runPendingTasks();
        return responses(channel);
    }

    /** Sends one HTTP/1.1 POST with a text body and returns whatever the server wrote back so far. */
    static String post(EmbeddedChannel channel, String requestLine, String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        String head = requestLine + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: text/plain;charset=UTF-8\r\n"
                + "Content-Length: " + bytes.length + "\r\n\r\n";
        channel.writeInbound(Unpooled.wrappedBuffer(head.getBytes(StandardCharsets.US_ASCII), bytes));
        channel.runPendingTasks();
        return responses(channel);
    }

    static String responses(EmbeddedChannel channel) {
        StringBuilder written = new StringBuilder();
        for (Object out = channel.readOutbound(); out != null; out = channel.readOutbound()) {
            if (out instanceof ByteBuf buffer) {
                written.append(buffer.toString(StandardCharsets.UTF_8));
                buffer.release();
            }
        }
        return written.toString();
    }

    static String body(String response) {
        assertThat(response).startsWith("HTTP/1.1 200 OK");
        return response.substring(response.indexOf("\r\n\r\n") + 4);
    }


    /** Records what an engine tells the layer above. */
    static class Recorder implements EngineListener {
        final List<EngineSession> opened = new CopyOnWriteArrayList<>();
        /** Each as {@code "<session id> <reason>"}. */
        final List<String> closes = new CopyOnWriteArrayList<>();
        final List<Frame> messages = new CopyOnWriteArrayList<>();

        @Override
        public void onOpen(EngineSession session) {
            opened.add(session);
        }

        @Override
        public void onMessage(EngineSession session, Frame message) {
            messages.add(message);
        }

        @Override
        public void onClose(EngineSession session, String reason) {
            closes.add(session.id() + " " + reason);
        }

        /** The reasons of the closes, in order. */
        List<String> closeReasons() {
            return closes.stream().map(close -> close.substring(close.indexOf(' ') + 1)).toList();
        }
    }
}
