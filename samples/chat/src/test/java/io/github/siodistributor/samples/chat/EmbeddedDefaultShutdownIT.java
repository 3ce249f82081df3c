package io.github.siodistributor.samples.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.siodistributor.testsupport.FreePorts;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The README's demo (worker, backend and embedded Redis in one JVM) stopped as a developer or an orchestrator stops
 * it: the embedded Redis outlives the distributor's shutdown, which still talks to it, and is gone with the JVM.
 */
class EmbeddedDefaultShutdownIT {

    /** SIGTERM to the JVM, as an orchestrator (or {@code kill}) sends it. */
    @Test
    void terminated() throws Exception {
        int redisPort = FreePorts.find();
        try (SampleProcess demo = SampleProcess.start("demo", demoArguments(redisPort))) {
            stopsAfterTheDistributor(demo, redisPort, demo::terminate);
        }
    }

    /** Ctrl+C in the terminal that started it: SIGINT to its whole process group, the redis-server it started too. */
    @Test
    void interruptedFromItsTerminal() throws Exception {
        assumeTrue(Files.isExecutable(SampleProcess.SETSID), SampleProcess.SETSID + " (util-linux) is missing: the "
                + "demo cannot lead a process group of its own, apart from this test's JVM");
        int redisPort = FreePorts.find();
        try (SampleProcess demo = SampleProcess.startAsGroupLeader("demo", demoArguments(redisPort))) {
            stopsAfterTheDistributor(demo, redisPort, () -> {
                assertThat(demo.children()).as("the demo's redis-server").singleElement().satisfies(redis ->
                        assertThat(processGroup(redis.pid())).as("its process group, which Ctrl+C signals")
                                .isNotEqualTo(demo.pid()));
                demo.interruptItsGroup();
            });
        }
    }

    /** The process group of a live process, from Linux's /proc (the field after the command's parenthesis). */
    private static long processGroup(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
            return Long.parseLong(stat.substring(stat.lastIndexOf(')') + 2).split(" ")[2]);
        } catch (IOException e) {
            throw new UncheckedIOException("no /proc entry for process " + pid, e);
        }
    }

    private static String[] demoArguments(int redisPort) {
        return new String[] {"--spring.main.web-application-type=none", "--distributor.worker.port=0",
                "--distributor.redis.embedded.port=" + redisPort};
    }

    private static void stopsAfterTheDistributor(SampleProcess demo, int redisPort, Runnable stop) throws Exception {
        demo.awaitStarted(120);
        assertThat(FreePorts.accepts(redisPort)).as("the embedded Redis listens").isTrue();

        stop.run();
        demo.awaitExit(60);

        assertThat(demo.output()).as("the distributor's shutdown saw Redis up to its end")
                .doesNotContain("Redis is unreachable").doesNotContain("while Redis is unreachable")
                .doesNotContain("REDIS_UNAVAILABLE").doesNotContain("Cannot reconnect");
        assertThat(FreePorts.accepts(redisPort)).as("the embedded Redis is gone with the JVM").isFalse();
    }
}
