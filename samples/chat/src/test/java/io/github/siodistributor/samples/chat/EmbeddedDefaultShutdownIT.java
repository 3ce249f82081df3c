package io.github.siodistributor.samples.chat;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.siodistributor.testsupport.FreePorts;
import org.junit.jupiter.api.Test;

/**
 * The README's demo (worker, backend and embedded Redis in one JVM) stopped as a developer stops it (SIGTERM, or
 * Ctrl+C): the embedded Redis outlives the distributor's shutdown, which still talks to it, and is gone with the JVM.
 */
class EmbeddedDefaultShutdownIT {

    @Test
    void theEmbeddedRedisStopsAfterTheDistributorAndWithTheJvm() throws Exception {
        int redisPort = FreePorts.find();
        try (SampleProcess demo = SampleProcess.start("demo", "--spring.main.web-application-type=none",
                "--distributor.worker.port=0", "--distributor.redis.embedded.port=" + redisPort)) {
            demo.awaitStarted(120);
            assertThat(FreePorts.accepts(redisPort)).as("the embedded Redis listens").isTrue();

            demo.terminate();
            demo.awaitExit(60);

            assertThat(demo.output()).as("the distributor's shutdown saw Redis up to its end")
                    .doesNotContain("Redis is unreachable").doesNotContain("while Redis is unreachable")
                    .doesNotContain("REDIS_UNAVAILABLE").doesNotContain("Cannot reconnect");
            assertThat(FreePorts.accepts(redisPort)).as("the embedded Redis is gone with the JVM").isFalse();
        }
    }

}
