package io.github.siodistributor.core.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringServerSocketChannel;
import io.netty.channel.uring.IoUringSocketChannel;
import java.io.IOException;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Which transport a worker's loops run, for each setting of {@code distributor.worker.transport}. */
class WorkerEventLoopsTest {

    @Test
    void autoIsIoUringWhereTheMachineOffersItAndNioElsewhere() {
        assertThat(WorkerEventLoops.resolve(WorkerTransport.AUTO, true, null)).isEqualTo(WorkerTransport.IO_URING);
        assertThat(WorkerEventLoops.resolve(WorkerTransport.AUTO, false, new IOException("no io_uring")))
                .isEqualTo(WorkerTransport.NIO);
    }

    @Test
    void nioIsNioEverywhere() {
        assertThat(WorkerEventLoops.resolve(WorkerTransport.NIO, true, null)).isEqualTo(WorkerTransport.NIO);
        assertThat(WorkerEventLoops.resolve(WorkerTransport.NIO, false, null)).isEqualTo(WorkerTransport.NIO);
    }

    @Test
    void ioUringWhereTheMachineDoesNotOfferItIsRefusedSayingWhyAndWhatElseToSet() {
        assertThatThrownBy(() -> WorkerEventLoops.resolve(WorkerTransport.IO_URING, false,
                new UnsatisfiedLinkError("io_uring_setup: Operation not permitted")))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("distributor.worker.transport=io-uring")
                .hasMessageContaining("io_uring_setup: Operation not permitted")
                .hasMessageContaining("netty-transport-native-io_uring")
                .hasMessageContaining("auto").hasMessageContaining("nio");
    }

    @Test
    void withoutNettysIoUringLibraryTheDefaultIsNio() {
        Assumptions.assumeFalse(IoUring.isAvailable(), "this test run has Netty's io_uring library");
        try (WorkerEventLoops loops = new WorkerEventLoops(1)) {
            assertThat(loops.transport()).isEqualTo(WorkerTransport.NIO);
            assertThat(loops.serverChannelClass()).isEqualTo(NioServerSocketChannel.class);
            assertThat(loops.socketChannelClass()).isEqualTo(NioSocketChannel.class);
        }
        assertThatThrownBy(() -> new WorkerEventLoops(1, WorkerTransport.IO_URING))
                .hasMessageContaining("distributor.worker.transport=io-uring");
    }

    /** Run with Netty's io_uring library on the class path (the io-uring test execution). */
    @Nested
    @Tag("io-uring")
    class WithNettysIoUringLibrary {

        @Test
        void theDefaultIsIoUringForTheLoopsAndForTheConnectionsOnThem() {
            Assumptions.assumeTrue(IoUring.isAvailable(), () -> "io_uring is not available here: "
                    + IoUring.unavailabilityCause());
            try (WorkerEventLoops loops = new WorkerEventLoops(1)) {
                assertThat(loops.transport()).isEqualTo(WorkerTransport.IO_URING);
                assertThat(loops.serverChannelClass()).isEqualTo(IoUringServerSocketChannel.class);
                assertThat(loops.socketChannelClass()).isEqualTo(IoUringSocketChannel.class);
            }
            try (WorkerEventLoops loops = new WorkerEventLoops(1, WorkerTransport.NIO)) {
                assertThat(loops.serverChannelClass()).isEqualTo(NioServerSocketChannel.class);
            }
        }
    }
}
