package io.github.siodistributor.samples.chat;

import io.github.siodistributor.testsupport.ProcessSignals;
import io.github.siodistributor.testsupport.TestRedis;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.TimeUnit;

/** The packaged sample jar running as its own OS process, with its output kept for diagnosis. */
final class SampleProcess implements AutoCloseable {

    /** util-linux's: starts a program in a session (and process group) of its own. */
    static final Path SETSID = Path.of("/usr/bin/setsid");

    private final String name;
    private final Process process;
    private final ConcurrentLinkedDeque<String> output = new ConcurrentLinkedDeque<>();
    private final CompletableFuture<Void> started = new CompletableFuture<>();

    private SampleProcess(String name, Process process) {
        this.name = name;
        this.process = process;
        Thread reader = new Thread(this::readOutput, "sample-" + name + "-output");
        reader.setDaemon(true);
        reader.start();
    }

    static SampleProcess start(String name, String... arguments) throws IOException {
        return start(name, List.of(), arguments);
    }

    /**
     * The jar in a session of its own (util-linux's {@code setsid}, which {@link #SETSID} names), whose process group
     * it leads, as a shell's foreground job: for {@link #interruptItsGroup()}.
     */
    static SampleProcess startAsGroupLeader(String name, String... arguments) throws IOException {
        return start(name, List.of(SETSID.toString()), arguments);
    }

    private static SampleProcess start(String name, List<String> launcher, String... arguments) throws IOException {
        Path jar = Path.of(System.getProperty("sample.jar", "target/sample-chat.jar"));
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("the sample jar " + jar.toAbsolutePath() + " is missing: run mvn package");
        }
        List<String> command = new ArrayList<>(launcher);
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx256m");
        command.add("-jar");
        command.add(jar.toString());
        command.addAll(List.of(arguments));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        return new SampleProcess(name, process);
    }

    /**
     * Command-line arguments for a sample process on the test's Redis (not its own embedded one), without a web
     * server, followed by {@code role}: what it runs and how.
     */
    static String[] arguments(TestRedis redis, String... role) {
        List<String> args = new ArrayList<>(List.of("--distributor.redis.embedded.enabled=false",
                "--spring.data.redis.host=" + redis.host(), "--spring.data.redis.port=" + redis.port(),
                "--spring.main.web-application-type=none"));
        args.addAll(List.of(role));
        return args.toArray(String[]::new);
    }

    /** Waits for Spring Boot's "Started" line; fails with the process output if it exits or times out. */
    void awaitStarted(long seconds) {
        try {
            started.get(seconds, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError(name + " did not start within " + seconds + " s; output:\n" + String.join("\n",
                    output), e);
        }
    }

    /** The processes this one started (the embedded Redis's redis-server, say). */
    List<ProcessHandle> children() {
        return process.children().toList();
    }

    /** The process group it leads, when started with {@link #startAsGroupLeader}. */
    long pid() {
        return process.pid();
    }

    String output() {
        return String.join("\n", output);
    }

    private void readOutput() {
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                output.add(line);
                if (output.size() > 400) {
                    output.removeFirst();
                }
                if (line.contains("Started ChatApplication")) {
                    started.complete(null);
                }
            }
        } catch (IOException e) {
            output.add("<output closed: " + e + ">");
        }
        started.completeExceptionally(new IllegalStateException(name + " closed its output before it started"));
    }

    /** Kills the process at once (SIGKILL): no shutdown hook runs, nothing is released. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            throw new AssertionError(name + " is still alive 20 s after SIGKILL");
        }
    }

    /** Stops the process where it is (SIGSTOP), as a long GC pause or a suspended VM would: its sockets stay open. */
    void pause() {
        signal("STOP");
    }

    /** Lets a paused process run on (SIGCONT). */
    void resume() {
        signal("CONT");
    }

    private void signal(String signal) {
        ProcessSignals.send(process.pid(), signal, name);
    }

    /**
     * SIGINT to every process of its group, as a terminal's Ctrl+C to its foreground job, without waiting: for a
     * process started with {@link #startAsGroupLeader}, whose group holds the test's JVM otherwise.
     */
    void interruptItsGroup() {
        ProcessSignals.sendToGroup(process.pid(), "INT", name);
    }

    /** Asks the process to stop (SIGTERM), as an orchestrator does, without waiting: its shutdown hooks run. */
    void terminate() {
        // through the handle: Process.destroy() would also close the pipes and lose what the shutdown logs
        process.toHandle().destroy();
    }

    /** Waits for the process to end; fails with its output if it is still alive after {@code seconds}. */
    void awaitExit(long seconds) throws InterruptedException {
        if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
            throw new AssertionError(name + " is still alive " + seconds + " s later; output:\n" + output());
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
