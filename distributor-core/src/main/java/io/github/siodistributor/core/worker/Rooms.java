package io.github.siodistributor.core.worker;

import io.github.siodistributor.core.protocol.ReplyParts;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Who is in which room, per namespace, on this worker. Every socket is also in the room named by its
 * id, as in Socket.IO, so "everyone but this socket" is an {@code except(id)}.
 *
 * <p>Joins come from the thread that reads Redis, leaves also from a socket's event loop when it disconnects, and
 * with more than one loop these are different threads: a socket that ends while it joins is taken out again by
 * whichever of the two comes second (a join looks at {@link WorkerSocket#isGone()} after adding, and an ending socket
 * is gone before it leaves). A room, and a namespace's tables, go with their last member, atomically with respect to
 * joins, so that dynamic namespaces and rooms leave nothing behind.
 */
final class Rooms {

    private final ConcurrentHashMap<String, Set<WorkerSocket>> members = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, ConcurrentHashMap<String, Set<WorkerSocket>>> rooms =
            new ConcurrentHashMap<>();

    void add(WorkerSocket socket) {
        members.compute(socket.namespace, (namespace, all) -> {
            Set<WorkerSocket> present = all == null ? ConcurrentHashMap.newKeySet() : all;
            present.add(socket);
            return present;
        });
        join(socket, List.of(socket.id));
        if (socket.isGone()) {
            remove(socket);
        }
    }

    void remove(WorkerSocket socket) {
        leave(socket, List.copyOf(socket.rooms));
        members.computeIfPresent(socket.namespace, (namespace, all) -> {
            all.remove(socket);
            return all.isEmpty() ? null : all;
        });
    }

    void join(WorkerSocket socket, Collection<String> names) {
        rooms.compute(socket.namespace, (namespace, byName) -> {
            ConcurrentHashMap<String, Set<WorkerSocket>> present = byName == null ? new ConcurrentHashMap<>() : byName;
            for (String name : names) {
                present.compute(name, (room, sockets) -> {
                    Set<WorkerSocket> members = sockets == null ? ConcurrentHashMap.newKeySet() : sockets;
                    members.add(socket);
                    return members;
                });
                if (socket.rooms.add(name)) {
                    socket.roomBytes.addAndGet(ReplyParts.size(name));
                }
            }
            return present;
        });
        if (socket.isGone()) {
            leave(socket, names);
        }
    }

    void leave(WorkerSocket socket, Collection<String> names) {
        for (String name : names) {
            if (socket.rooms.remove(name)) {
                socket.roomBytes.addAndGet(-ReplyParts.size(name));
            }
        }
        rooms.computeIfPresent(socket.namespace, (namespace, byName) -> {
            for (String name : names) {
                byName.computeIfPresent(name, (room, sockets) -> {
                    sockets.remove(socket);
                    return sockets.isEmpty() ? null : sockets;
                });
            }
            return byName.isEmpty() ? null : byName;
        });
    }

    /** The sockets in any of {@code include} (all of the namespace when empty) and in none of {@code exclude}. */
    Collection<WorkerSocket> select(String namespace, List<String> include, List<String> exclude) {
        Collection<WorkerSocket> candidates;
        if (include.isEmpty()) {
            candidates = members.getOrDefault(namespace, Set.of());
        } else if (include.size() == 1) {
            // the usual broadcast, to one room: its members as they are, not copied per message
            candidates = members(namespace, include.get(0));
        } else {
            Set<WorkerSocket> union = new LinkedHashSet<>();
            for (String name : include) {
                union.addAll(members(namespace, name));
            }
            candidates = union;
        }
        if (exclude.isEmpty()) {
            return candidates;
        }
        List<WorkerSocket> selected = new java.util.ArrayList<>(candidates.size());
        for (WorkerSocket socket : candidates) {
            if (exclude.stream().noneMatch(socket.rooms::contains)) {
                selected.add(socket);
            }
        }
        return selected;
    }

    private Set<WorkerSocket> members(String namespace, String room) {
        Map<String, Set<WorkerSocket>> byName = rooms.get(namespace);
        return byName == null ? Set.of() : byName.getOrDefault(room, Set.of());
    }

    /** The rooms of a namespace that have members here, without the room each socket has under its own id. */
    List<String> namedRooms(String namespace) {
        List<String> named = new java.util.ArrayList<>();
        rooms.getOrDefault(namespace, new ConcurrentHashMap<>()).forEach((name, sockets) -> {
            if (sockets.stream().noneMatch(socket -> socket.id.equals(name))) {
                named.add(name);
            }
        });
        return named;
    }

    int size(String namespace) {
        return members.getOrDefault(namespace, Set.of()).size();
    }

    /** No namespace has a member or a room here. */
    boolean isEmpty() {
        return members.isEmpty() && rooms.isEmpty();
    }
}
