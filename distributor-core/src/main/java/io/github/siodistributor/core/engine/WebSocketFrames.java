package io.github.siodistributor.core.engine;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.List;

/**
 * Engine.IO frames as the bytes of server-to-client WebSocket frames (RFC 6455 section 5.2: FIN, opcode, the
 * payload length, no mask), so that a broadcast is framed once and the same bytes go to every WebSocket, past
 * Netty's frame encoder (which lets buffers through as they are). The worker negotiates no WebSocket extension,
 * so nothing else would have to change the frames on the way.
 */
final class WebSocketFrames {

    private static final int FIN = 0x80;
    private static final int OPCODE_TEXT = 0x1;
    private static final int OPCODE_BINARY = 0x2;

    private WebSocketFrames() {
    }

    static ByteBuf encode(ByteBufAllocator allocator, List<Frame> frames) {
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
