package io.github.siodistributor.core.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringServerSocketChannel;
import io.netty.channel.uring.IoUringSocketChannel;
import java.util.Set;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Which transport a worker's loops run, for each setting of {@code distributor.worker.transport}. */
class WorkerEventLoopsTest {

    private static WorkerTransport resolve(WorkerTransport requested, WorkerTransport... available) {
        Set<WorkerTransport> here = Set.of(available);
        return WorkerEventLoops.resolve(requested, transport -> transport == WorkerTransport.NIO || here.contains(transport));
    }

    @Test
    void autoIsWhatLettucePicksEpollThenIoUringThenNio() {
        assertThat(resolve(WorkerTransport.AUTO, WorkerTransport.EPOLL, WorkerTransport.IO_URING))
                .isEqualTo(WorkerTransport.EPOLL);
        assertThat(resolve(WorkerTransport.AUTO, WorkerTransport.IO_URING)).isEqualTo(WorkerTransport.IO_URING);
        assertThat(resolve(WorkerTransport.AUTO)).isEqualTo(WorkerTransport.NIO);
    }

    @Test
    void anExplicitTransportIsThatTransport() {
        assertThat(resolve(WorkerTransport.NIO, WorkerTransport.EPOLL, WorkerTransport.IO_URING))
                .isEqualTo(WorkerTransport.NIO);
        assertThat(resolve(WorkerTransport.IO_URING, WorkerTransport.EPOLL, WorkerTransport.IO_URING))
                .isEqualTo(WorkerTransport.IO_URING);
        assertThat(resolve(WorkerTransport.EPOLL, WorkerTransport.EPOLL)).isEqualTo(WorkerTransport.EPOLL);
    }

    @Test
    void aNativeTransportThatIsNotAvailableIsRefusedSayingWhyAndWhatElseToSet() {
        assertThatThrownBy(() -> resolve(WorkerTransport.IO_URING, WorkerTransport.EPOLL))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("distributor.worker.transport=io-uring")
                .hasMessageContaining("io.netty:netty-transport-native-io_uring")
                .hasMessageContaining("auto").hasMessageContaining("nio");
        assertThatThrownBy(() -> resolve(WorkerTransport.EPOLL))
                .hasMessageContaining("distributor.worker.transport=epoll")
                .hasMessageContaining("io.netty:netty-transport-native-epoll");
    }

    @Test
    void withoutNettysNativeLibrariesTheLoopsRunNioAndSayWhyNoNativeOne() {
        Assumptions.assumeFalse(Epoll.isAvailable() || IoUring.isAvailable(), "this test run has a native library");
        try (WorkerEventLoops loops = new WorkerEventLoops(1)) {
            assertThat(loops.transport()).isEqualTo(WorkerTransport.NIO);
            assertThat(loops.serverChannelClass()).isEqualTo(NioServerSocketChannel.class);
            assertThat(loops.socketChannelClass()).isEqualTo(NioSocketChannel.class);
        }
        assertThatThrownBy(() -> new WorkerEventLoops(1, WorkerTransport.IO_URING))
                .hasMessageContaining("distributor.worker.transport=io-uring")
                .hasMessageContaining(IoUring.unavailabilityCause().getMessage());
    }

    /** Run with Netty's native epoll library on the class path (the epoll test execution). */
    @Nested
    @Tag("epoll")
    class WithNettysEpollLibrary {

        @Test
        void theDefaultIsEpoll() {
            Assumptions.assumeTrue(Epoll.isAvailable(), () -> "epoll is not available here: " + Epoll.unavailabilityCause());
            try (WorkerEventLoops loops = new WorkerEventLoops(1)) {
                assertThat(loops.transport()).isEqualTo(WorkerTransport.EPOLL);
                assertThat(loops.serverChannelClass()).isEqualTo(EpollServerSocketChannel.class);
                assertThat(loops.socketChannelClass()).isEqualTo(EpollSocketChannel.class);
            }
        }
    }

    /** Run with Netty's native io_uring library on the class path (the io-uring test execution). */
    @Nested
    @Tag("io-uring")
    class WithNettysIoUringLibrary {

        @Test
        void theDefaultIsIoUring() {
            Assumptions.assumeTrue(IoUring.isAvailable(), () -> "io_uring is not available here: "
                    + IoUring.unavailabilityCause());
            try (WorkerEventLoops loops = new WorkerEventLoops(1)) {
                assertThat(loops.transport()).isEqualTo(WorkerTransport.IO_URING);
                assertThat(loops.serverChannelClass()).isEqualTo(IoUringServerSocketChannel.class);
                assertThat(loops.socketChannelClass()).isEqualTo(IoUringSocketChannel.class);
            }
        }
    }
}
