package io.github.siodistributor.core.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.siodistributor.core.worker.WorkerEventLoops;
import io.github.siodistributor.testsupport.TestRedis;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.NettyCustomizer;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.EventLoop;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

/**
 * Lettuce on a distributor's event loop, against a real Redis: the commands one pass of the loop issues reach the
 * socket in one flush, and a command from another thread is not held back.
 */
class RedisWritesPerLoopPassTest {

    @AutoClose
    private static final TestRedis redis = TestRedis.startNew();

    @AutoClose
    private final WorkerEventLoops loops = new WorkerEventLoops(1);
    private final EventLoop loop = loops.group().next();
    /** Flushes that reached the transport, counted next to the socket (after every other handler). */
    private final AtomicInteger flushes = new AtomicInteger();
    private ClientResources resources;
    private RedisClient client;

    @AfterEach
    void stopClient() {
        if (client != null) {
            client.shutdown();
        }
        if (resources != null) {
            resources.shutdown();
        }
    }

    @Test
    void thePublishesOfOnePassLeaveInOneFlush() throws Exception {
        StatefulRedisConnection<String, String> connection = connect(true);

        assertThat(flushesForPublishesInOnePass(connection, 10)).isEqualTo(1);
    }

    @Test
    void withoutItEveryPublishIsFlushedOnItsOwn() throws Exception {
        StatefulRedisConnection<String, String> connection = connect(false);

        assertThat(flushesForPublishesInOnePass(connection, 10)).isEqualTo(10);
    }

    @Test
    void aLongPassIsFlushedEverySixtyFourCommands() throws Exception {
        StatefulRedisConnection<String, String> connection = connect(true);
        int publishes = 2 * RedisWritesPerLoopPass.EXPLICIT_FLUSH_AFTER + 2;

        // two full batches at once, the last 2 once the pass is over
        assertThat(flushesForPublishesInOnePass(connection, publishes)).isEqualTo(3);
    }

    @Test
    void aCommandFromAnotherThreadIsNotHeldBack() {
        StatefulRedisConnection<String, String> connection = connect(true);

        // a flush that never came would leave this waiting for Lettuce's command timeout, and fail
        assertThat(connection.sync().publish("ch", "from the test's thread")).isZero();
        assertThat(connection.sync().ping()).isEqualTo("PONG");
    }

    /** Issues {@code count} PUBLISHes in one task on the loop; the flushes it took once every answer is in. */
    private int flushesForPublishesInOnePass(StatefulRedisConnection<String, String> connection, int count)
            throws Exception {
        int before = flushes.get();
        List<RedisFuture<Long>> published = new ArrayList<>();
        loop.submit(() -> {
            for (int i = 0; i < count; i++) {
                published.add(connection.async().publish("ch", "message " + i));
            }
        }).get(10, TimeUnit.SECONDS);
        CompletableFuture.allOf(published.stream().map(RedisFuture::toCompletableFuture)
                .toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
        return flushes.get() - before;
    }

    private StatefulRedisConnection<String, String> connect(boolean batched) {
        RedisWritesPerLoopPass perPass = new RedisWritesPerLoopPass();
        resources = ClientResources.builder().eventLoopGroupProvider(new SharedLettuceEventLoops(loops.group()))
                .nettyCustomizer(new NettyCustomizer() {
                    @Override
                    public void afterChannelInitialized(Channel channel) {
                        if (batched) {
                            perPass.afterChannelInitialized(channel);
                        }
                        channel.pipeline().addFirst(new ChannelOutboundHandlerAdapter() {
                            @Override
                            public void flush(ChannelHandlerContext context) {
                                flushes.incrementAndGet();
                                context.flush();
                            }
                        });
                    }
                }).build();
        client = RedisClient.create(resources, RedisURI.create("redis://" + redis.host() + ":" + redis.port()));
        StatefulRedisConnection<String, String> connection = client.connect(StringCodec.UTF8);
        assertThat(connection.sync().ping()).isEqualTo("PONG");
        return connection;
    }
}
