package io.github.siodistributor.backend.runtime;

import io.github.siodistributor.backend.RemoteSocket;
import io.github.siodistributor.core.protocol.Message.SocketInfo;
import java.util.Set;

/** A socket as its worker described it to fetchSockets: a snapshot of rooms and data, and a handle to act on it. */
final class FetchedSocket extends BackendSocket implements RemoteSocket {

    private final Set<String> rooms;
    private final byte[] dataJson;
    /** Whether {@link #setData} replaced the fetched data (with null too). */
    private volatile boolean replaced;
    /** The fetched data, decoded once: a handler that changes it sees its change the next time. */
    private Object decoded;
    private boolean isDecoded;

    FetchedSocket(SocketInfo info, BackendNamespace namespace) {
        super(info.socketId(), info.handshake(), namespace);
        this.rooms = Set.copyOf(info.rooms());
        this.dataJson = info.data();
    }

    @Override
    public Set<String> rooms() {
        return rooms;
    }

    @Override
    public void setData(Object value) {
        super.setData(value);
        replaced = true;
    }

    /** What {@link #setData} set through this handle, else the data the worker held when fetched. */
    @Override
    public Object data() {
        return replaced ? super.data() : fetchedData();
    }

    private synchronized Object fetchedData() {
        if (!isDecoded) {
            decoded = namespace().backend().mapper().readValue(dataJson, Object.class);
            isDecoded = true;
        }
        return decoded;
    }

    @Override
    public <T> T data(Class<T> type) {
        return replaced ? super.data(type) : namespace().backend().mapper().readValue(dataJson, type);
    }
}
