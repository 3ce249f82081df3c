package io.github.siodistributor.backend.runtime;

import io.github.siodistributor.backend.BroadcastOperator;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** An immutable room selection; {@code emitter} publishes the resulting broadcast. */
record Selection(List<String> rooms, List<String> exceptRooms, BroadcastEmitter emitter) implements BroadcastOperator {

    interface BroadcastEmitter {
        void emit(List<String> rooms, List<String> exceptRooms, String event, Object[] args);
    }

    @Override
    public BroadcastOperator to(String... more) {
        return new Selection(plus(rooms, more), exceptRooms, emitter);
    }

    @Override
    public BroadcastOperator except(String... more) {
        return new Selection(rooms, plus(exceptRooms, more), emitter);
    }

    @Override
    public void emit(String event, Object... args) {
        emitter.emit(rooms, exceptRooms, event, args);
    }

    private static List<String> plus(List<String> current, String[] more) {
        List<String> combined = new ArrayList<>(current);
        for (String room : more) {
            if (room == null || room.isEmpty()) {
                throw new IllegalArgumentException("room names must be non-empty, got " + Arrays.toString(more));
            }
            if (!combined.contains(room)) {
                combined.add(room);
            }
        }
        return List.copyOf(combined);
    }
}
