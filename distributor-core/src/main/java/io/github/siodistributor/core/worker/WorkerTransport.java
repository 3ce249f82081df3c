package io.github.siodistributor.core.worker;

/**
 * The Netty transport of a worker's event loops ({@code distributor.worker.transport}). io_uring hands the kernel
 * all the writes of one pass of a loop in one system call where NIO makes one call per write, which counts on a
 * machine where system calls are dear, and most of all in a broadcast (one write per recipient; see BENCHMARKS.md).
 * It is available once the application adds Netty's native io_uring library; Lettuce then picks io_uring on its
 * own, so the worker's Redis connections stay on the worker's loops either way
 * ({@link io.github.siodistributor.core.transport.SharedLettuceEventLoops}).
 */
public enum WorkerTransport {

    /**
     * io_uring where it is available (Netty's native library on the class path, Linux 5.14 or later, not forbidden
     * by a seccomp profile), else NIO.
     */
    AUTO,

    /** Netty's NIO transport, on the JDK's selector: works everywhere. */
    NIO,

    /** Linux io_uring: start-up fails, saying why, where it is not available. */
    IO_URING
}
