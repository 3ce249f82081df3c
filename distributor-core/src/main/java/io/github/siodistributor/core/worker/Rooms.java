package io.github.siodistributor.core.worker;

import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Who is in which room, per namespace, on this worker. Every socket is also in the room named by its
 * id, as in Socket.IO, so "everyone but this socket" is an {@code except(id)}.
 */
final class Rooms {

    private final ConcurrentHashMap<String, Set<WorkerSocket>> members = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, ConcurrentHashMap<String, Set<WorkerSocket>>> rooms =
            new ConcurrentHashMap<>();

    void add(WorkerSocket socket) {
        members.computeIfAbsent(socket.namespace, n -> ConcurrentHashMap.newKeySet()).add(socket);
        join(socket, List.of(socket.id));
    }

    void remove(WorkerSocket socket) {
        leave(socket, List.copyOf(socket.rooms));
        Set<WorkerSocket> all = members.get(socket.namespace);
        if (all != null) {
            all.remove(socket);
        }
    }

    void join(WorkerSocket socket, Collection<String> names) {
        ConcurrentHashMap<String, Set<WorkerSocket>> byName = rooms.computeIfAbsent(socket.namespace,
                n -> new ConcurrentHashMap<>());
        for (String name : names) {
            byName.computeIfAbsent(name, n -> ConcurrentHashMap.newKeySet()).add(socket);
            socket.rooms.add(name);
        }
    }

    void leave(WorkerSocket socket, Collection<String> names) {
        ConcurrentHashMap<String, Set<WorkerSocket>> byName = rooms.get(socket.namespace);
        for (String name : names) {
            socket.rooms.remove(name);
            if (byName != null) {
                // drop a room with its last member, atomically with respect to joins
                byName.computeIfPresent(name, (n, sockets) -> {
                    sockets.remove(socket);
                    return sockets.isEmpty() ? null : sockets;
                });
            }
        }
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
}
