package io.github.siodistributor.core.worker;

import io.netty.channel.epoll.Epoll;
import io.netty.channel.uring.IoUring;
import java.util.Locale;

/**
 * The Netty transport of a worker's event loops ({@code distributor.worker.transport}). Lettuce runs a native
 * transport by itself wherever Netty's native library for it is on the class path (epoll first, then io_uring),
 * and its connections can share the worker's loops only on the same transport; so by default ({@link #AUTO}) the
 * loops run what Lettuce runs. io_uring also hands the kernel all the writes of one pass of a loop in one system
 * call where NIO and epoll make one call per write: that counts most in a broadcast (see BENCHMARKS.md).
 */
public enum WorkerTransport {

    /**
     * What Lettuce picks: epoll where Netty's native epoll library is on the class path and works here, else io_uring
     * where its native library is and the kernel allows it (Linux 5.14+, not forbidden by a seccomp profile), else NIO.
     */
    AUTO("auto", null),

    /** Netty's NIO transport, on the JDK's selector: works everywhere. */
    NIO("NIO", null),

    /** Linux epoll (io.netty:netty-transport-native-epoll): start-up fails, saying why, where it is not available. */
    EPOLL("epoll", "io.netty:netty-transport-native-epoll"),

    /** Linux io_uring (io.netty:netty-transport-native-io_uring): start-up fails, saying why, where it is not available. */
    IO_URING("io_uring", "io.netty:netty-transport-native-io_uring");

    private final String displayName;
    private final String nativeLibrary;

    WorkerTransport(String displayName, String nativeLibrary) {
        this.displayName = displayName;
        this.nativeLibrary = nativeLibrary;
    }

    /** Whether this transport runs here; AUTO and NIO always do. */
    boolean isAvailable() {
        return switch (this) {
            case AUTO, NIO -> true;
            case EPOLL -> Epoll.isAvailable();
            case IO_URING -> IoUring.isAvailable();
        };
    }

    /** Why this transport does not run here, or null. */
    Throwable unavailabilityCause() {
        return switch (this) {
            case AUTO, NIO -> null;
            case EPOLL -> Epoll.unavailabilityCause();
            case IO_URING -> IoUring.unavailabilityCause();
        };
    }

    /** How logs name it: NIO, epoll, io_uring. */
    public String displayName() {
        return displayName;
    }

    /** The value of {@code distributor.worker.transport} that names it. */
    public String propertyValue() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** The artifact of Netty's native library for it (without its classifier), or null for NIO. */
    String nativeLibrary() {
        return nativeLibrary;
    }
}
