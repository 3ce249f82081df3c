package io.github.siodistributor.core.engine;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.Collection;

/**
 * Engine.IO frames as the bytes of server-to-client WebSocket frames (RFC 6455 section 5.2: FIN, opcode, the
 * payload length, no mask). A session writes them past Netty's frame encoder (which lets buffers through as they
 * are): one buffer for all the frames of a write instead of a frame object each, and a broadcast is framed once,
 * the same bytes going to every WebSocket. The worker negotiates no WebSocket extension, so nothing else would
 * have to change the frames on the way.
 */
final class WebSocketFrames {

    private static final int FIN = 0x80;
    private static final int OPCODE_TEXT = 0x1;
    private static final int OPCODE_BINARY = 0x2;

    private WebSocketFrames() {
    }

    static ByteBuf encode(ByteBufAllocator allocator, Collection<Frame> frames) {
        int size = 0;
        for (Frame frame : frames) {
            size += 10 + frame.bytes().length;
        }
        ByteBuf out = allocator.directBuffer(size);
        for (Frame frame : frames) {
            byte[] payload = frame.bytes();
            out.writeByte(FIN | (frame.binary() ? OPCODE_BINARY : OPCODE_TEXT));
            if (payload.length <= 125) {
                out.writeByte(payload.length);
            } else if (payload.length <= 0xFFFF) {
                out.writeByte(126);
                out.writeShort(payload.length);
            } else {
                out.writeByte(127);
                out.writeLong(payload.length);
            }
            out.writeBytes(payload);
        }
        return out;
    }
}
