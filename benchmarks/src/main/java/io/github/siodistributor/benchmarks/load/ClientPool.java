package io.github.siodistributor.benchmarks.load;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Many {@link BenchClient}s on one small event loop group. Connections spread over several loopback source
 * addresses (127.0.0.1, .2, ...) so that tens of thousands of them never run out of ephemeral ports.
 */
public final class ClientPool implements AutoCloseable {

    private static final int SOURCE_ADDRESSES = 8;

    private final EventLoopGroup group;
    private final List<BenchClient> clients = new ArrayList<>();
    private int failures;
    private String lastFailure;

    public ClientPool(int threads) {
        this.group = new MultiThreadIoEventLoopGroup(threads, NioIoHandler.newFactory());
    }

    public EventLoopGroup group() {
        return group;
    }

    public List<BenchClient> clients() {
        return clients;
    }

    /** Clients that could not connect so far (a busy server may let handshakes time out). */
    public int failures() {
        return failures;
    }

    /**
     * Connects {@code count} clients to the namespace, client i to {@code targets[i % targets.length]}, at most
     * {@code inFlight} handshakes at a time; returns those that connected (see {@link #failures()}).
     */
    public List<BenchClient> connect(int count, List<String> targets, String namespace, BenchClient.Listener listener,
            int inFlight) throws Exception {
        Semaphore permits = new Semaphore(inFlight);
        List<CompletableFuture<BenchClient>> connecting = new ArrayList<>(count);
        int first = clients.size();
        for (int i = 0; i < count; i++) {
            permits.acquire();
            int index = first + i;
            CompletableFuture<BenchClient> client = connect(index, targets.get(index % targets.size()), namespace,
                    listener);
            client.whenComplete((ok, failure) -> permits.release());
            connecting.add(client);
        }
        List<BenchClient> made = new ArrayList<>(count);
        for (CompletableFuture<BenchClient> client : connecting) {
            try {
                made.add(client.get(180, TimeUnit.SECONDS));
            } catch (ExecutionException | TimeoutException e) {
                failures++;
                lastFailure = String.valueOf(e.getCause() == null ? e : e.getCause());
            }
        }
        clients.addAll(made);
        return made;
    }

    /** Like {@link #connect} but every client must connect. */
    public List<BenchClient> connectAll(int count, List<String> targets, String namespace,
            BenchClient.Listener listener, int inFlight) throws Exception {
        List<BenchClient> made = connect(count, targets, namespace, listener, inFlight);
        if (made.size() < count) {
            throw new IllegalStateException((count - made.size()) + " of " + count + " clients could not connect: "
                    + lastFailure);
        }
        return made;
    }

    private CompletableFuture<BenchClient> connect(int index, String target, String namespace,
            BenchClient.Listener listener) {
        URI uri = URI.create("ws://" + target + "/socket.io/?EIO=4&transport=websocket");
        BenchClient client = new BenchClient(index, namespace, null, listener);
        WebSocketClientProtocolConfig config = WebSocketClientProtocolConfig.newBuilder()
                .webSocketUri(uri)
                .maxFramePayloadLength(1 << 20)
                .handshakeTimeoutMillis(120_000)
                .build();
        Bootstrap bootstrap = new Bootstrap()
                .group(group)
                .channel(NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 30_000)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel channel) {
                        channel.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(65_536),
                                new WebSocketClientProtocolHandler(config), client);
                    }
                });
        InetSocketAddress local = new InetSocketAddress("127.0.0." + (1 + index % SOURCE_ADDRESSES), 0);
        bootstrap.connect(new InetSocketAddress(uri.getHost(), uri.getPort()), local).addListener(future -> {
            if (!future.isSuccess()) {
                client.connected().completeExceptionally(future.cause());
            }
        });
        return client.connected();
    }

    /** Closes every client and waits until their channels are closed. */
    public void closeClients() {
        for (BenchClient client : clients) {
            if (client.channel() != null) {
                client.channel().close().syncUninterruptibly();
            }
        }
        clients.clear();
    }

    @Override
    public void close() {
        closeClients();
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
