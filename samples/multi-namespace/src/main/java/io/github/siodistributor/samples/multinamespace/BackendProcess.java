package io.github.siodistributor.samples.multinamespace;

import org.springframework.stereotype.Component;

/** This process, as a backend's answers name it: which namespace it serves and its process id. */
@Component
public class BackendProcess {

    /** What a backend answers to {@code hello}: the proof of which process handled the event. */
    public record Hello(String namespace, long pid) {
    }

    private final long pid = ProcessHandle.current().pid();

    public Hello hello(String namespace) {
        return new Hello(namespace, pid);
    }
}
