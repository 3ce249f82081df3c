package io.github.siodistributor.core.worker;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A worker's view of the live backend instances of each namespace spec, and the choice of one for a new
 * socket. The choice is rendezvous hashing (highest random weight) of socket id and instance id: no
 * shared state, an even spread in expectation, and when an instance goes only its own sockets move. A
 * socket keeps its instance until that instance dies or leaves (per-socket affinity): instances that join
 * later get new sockets only.
 *
 * <p>An instance is dead when its registry entry has expired. An instance whose entry vanished (Redis lost
 * its data) is dead only after {@code graceNanos}, by which time a live one has re-announced itself. So is one
 * whose entry expired while this worker could not read the registry: it could not renew its heartbeat either
 * (an outage that kept Redis's data), and its renewal may reach Redis just after this worker's read.
 */
final class BackendInstances {

    /** One backend instance serving one namespace spec. */
    record Instance(String spec, String backendId) {
    }

    private final long graceNanos;
    /** Live instance ids per spec; each list is immutable and replaced whole. */
    private final Map<String, List<String>> live = new ConcurrentHashMap<>();
    /**
     * Instances that announced their leaving, while the registry may still list them (a read taken before they
     * left, or a heartbeat that raced their leaving): they must not come back. Replaced whole; guarded by
     * {@code this} for writes.
     */
    private volatile Set<Instance> departed = Set.of();
    /** When a known instance was first found missing from the registry; guarded by {@code this}. */
    private final Map<Instance, Long> vanishedSince = new HashMap<>();
    /** Whether the last registry read failed; guarded by {@code this}. */
    private boolean unread;
    /** When reads came back after failing, or null while they never failed; guarded by {@code this}. */
    private Long readAgainSince;

    BackendInstances(long graceNanos) {
        this.graceNanos = graceNanos;
    }

    /** The live instances of a spec, in no particular order. */
    List<String> live(String spec) {
        return live.getOrDefault(spec, List.of());
    }

    /** The instance a socket goes to: the highest weight among the live ones, or null when there is none. */
    String choose(String spec, String socketId) {
        String best = null;
        long bestWeight = Long.MIN_VALUE;
        for (String instance : live(spec)) {
            long weight = weight(socketId, instance);
            if (best == null || weight > bestWeight) {
                best = instance;
                bestWeight = weight;
            }
        }
        return best;
    }

    /** An instance announced itself: live at once, before the next registry read confirms it. */
    synchronized boolean joined(String spec, String backendId) {
        List<String> current = live(spec);
        if (current.contains(backendId)) {
            return false;
        }
        List<String> next = new ArrayList<>(current);
        next.add(backendId);
        live.put(spec, List.copyOf(next));
        return true;
    }

    /** Whether the instance announced its leaving: its sockets must be handed over, not given more activity. */
    boolean hasDeparted(String spec, String backendId) {
        Set<Instance> known = departed;
        return !known.isEmpty() && known.contains(new Instance(spec, backendId));
    }

    /** An instance announced its leaving: no new socket goes to it, and no registry read brings it back. */
    synchronized boolean departed(String spec, String backendId) {
        Set<Instance> next = new HashSet<>(departed);
        next.add(new Instance(spec, backendId));
        departed = Set.copyOf(next);
        return left(spec, backendId);
    }

    /** An instance is leaving or known dead: no new socket goes to it. */
    synchronized boolean left(String spec, String backendId) {
        List<String> current = live(spec);
        if (!current.contains(backendId)) {
            return false;
        }
        List<String> next = new ArrayList<>(current);
        next.remove(backendId);
        live.put(spec, List.copyOf(next));
        vanishedSince.remove(new Instance(spec, backendId));
        return true;
    }

    /**
     * Takes in a registry read (spec → instance → heartbeat running): returns the instances now known
     * gone, which have been taken out of the live set, and the instances that appeared.
     */
    synchronized Changes update(Map<String, Map<String, Boolean>> registry, long nowNanos) {
        if (unread) {
            unread = false;
            readAgainSince = nowNanos;
        }
        // what expired within a grace of reads coming back could not be renewed while they failed
        boolean readingAgain = readAgainSince != null && nowNanos - readAgainSince < graceNanos;
        List<Instance> gone = new ArrayList<>();
        List<Instance> appeared = new ArrayList<>();
        Set<Instance> stillListed = new HashSet<>();
        for (Map.Entry<String, Map<String, Boolean>> entry : registry.entrySet()) {
            String spec = entry.getKey();
            Map<String, Boolean> registered = entry.getValue();
            List<String> next = new ArrayList<>();
            for (String known : live(spec)) {
                Boolean alive = registered.get(known);
                Instance key = new Instance(spec, known);
                if (Boolean.TRUE.equals(alive)) {
                    vanishedSince.remove(key);
                    next.add(known);
                } else if ((alive == null || readingAgain)
                        && nowNanos - vanishedSince.computeIfAbsent(key, k -> nowNanos) < graceNanos) {
                    next.add(known);
                } else {
                    vanishedSince.remove(key);
                    gone.add(key);
                }
            }
            registered.forEach((id, alive) -> {
                Instance instance = new Instance(spec, id);
                if (departed.contains(instance)) {
                    stillListed.add(instance);
                } else if (alive && !next.contains(id)) {
                    next.add(id);
                    appeared.add(instance);
                }
            });
            live.put(spec, List.copyOf(next));
        }
        // once the registry no longer lists a departed instance, no read taken later will
        departed = Set.copyOf(stillListed);
        return new Changes(gone, appeared);
    }

    /** The registry could not be read: whatever expires meanwhile could not be renewed either. */
    synchronized void unreadable() {
        unread = true;
    }

    record Changes(List<Instance> gone, List<Instance> appeared) {
    }

    /** A 64-bit mix of both ids: stable across processes and JVMs, unlike identity or seeded hashes. */
    static long weight(String socketId, String instance) {
        long hash = 0xcbf29ce484222325L;
        hash = fnv(hash, socketId);
        hash = fnv(hash ^ 0xff, instance);
        // final avalanche (from SplitMix64) so that ids differing in one character weigh unrelated
        hash = (hash ^ (hash >>> 30)) * 0xbf58476d1ce4e5b9L;
        hash = (hash ^ (hash >>> 27)) * 0x94d049bb133111ebL;
        return hash ^ (hash >>> 31);
    }

    private static long fnv(long hash, String value) {
        for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
            hash ^= b & 0xff;
            hash *= 0x100000001b3L;
        }
        return hash;
    }
}
