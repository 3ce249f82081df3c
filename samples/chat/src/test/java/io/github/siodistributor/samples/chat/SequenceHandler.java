package io.github.siodistributor.samples.chat;

import io.github.siodistributor.backend.IndirectSocket;
import io.github.siodistributor.backend.RemoteSocket;
import io.github.siodistributor.backend.annotation.OnConnect;
import io.github.siodistributor.backend.annotation.OnEvent;
import io.github.siodistributor.backend.annotation.OnRecover;
import io.github.siodistributor.backend.annotation.SocketNamespace;
import io.github.siodistributor.core.protocol.Handshake;
import java.nio.charset.StandardCharsets;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.springframework.stereotype.Component;

/** Records, per backend instance, which numbered events of which socket it handled, and what it recovered. */
@Component
@SocketNamespace("/seq")
public class SequenceHandler {

    /** {@code tick} orders handlings across the instances of one JVM: when it was handled, not when it was sent. */
    record Handled(String socketId, int n, long tick) {
    }

    private static final AtomicLong CLOCK = new AtomicLong();

    record Recovery(String socketId, String reason, String auth, Set<String> rooms) {
    }

    final Set<String> connected = ConcurrentHashMap.newKeySet();
    final Set<String> slowStarted = ConcurrentHashMap.newKeySet();
    final List<Handled> handled = new CopyOnWriteArrayList<>();
    final List<String> texts = new CopyOnWriteArrayList<>();
    final BlockingQueue<Recovery> recoveries = new LinkedBlockingQueue<>();

    @OnConnect
    public void connected(IndirectSocket socket) {
        connected.add(socket.id());
    }

    @OnEvent("join")
    public String join(IndirectSocket socket, String room) {
        socket.join(room);
        return room;
    }

    @OnEvent("n")
    public int number(IndirectSocket socket, int n) {
        handled.add(new Handled(socket.id(), n, CLOCK.incrementAndGet()));
        return n;
    }

    /** Some text: answers its length. */
    @OnEvent("text")
    public int text(IndirectSocket socket, String text) {
        texts.add(text);
        return text.length();
    }

    /** A numbered event that takes a while: the instance still works on it when it is asked to let the socket go. */
    @OnEvent("slow")
    public int slow(IndirectSocket socket, int n) throws InterruptedException {
        slowStarted.add(socket.id());
        Thread.sleep(300);
        return number(socket, n);
    }

    @OnRecover
    public void recovered(RemoteSocket socket, Handshake handshake, String reason) {
        recoveries.add(new Recovery(socket.id(), reason, new String(handshake.auth(), StandardCharsets.UTF_8),
                socket.rooms()));
    }

    List<Integer> handledOf(String socketId) {
        return handled.stream().filter(h -> h.socketId().equals(socketId)).map(Handled::n).toList();
    }

    /** What any of {@code instances} handled of a socket, in the order it was handled. */
    static List<Integer> handledInOrder(String socketId, SequenceHandler... instances) {
        return Stream.of(instances).flatMap(instance -> instance.handled.stream())
                .filter(h -> h.socketId().equals(socketId)).sorted(Comparator.comparingLong(Handled::tick))
                .map(Handled::n).toList();
    }
}
