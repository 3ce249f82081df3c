package io.github.siodistributor.benchmarks.load;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The processes under test, named ({@code worker=123,backend=456,redis=789}), and what {@code /proc} and
 * {@code jcmd} say about them: CPU time (utime + stime, all threads), resident memory, and for a JVM its heap
 * after a full GC and its direct (NMT "Other") memory.
 */
public final class ServerProcesses {

    /** Linux USER_HZ: /proc reports CPU times in 1/100 s on every common kernel configuration. */
    private static final long TICK_MICROS = 10_000;
    private static final Pattern HEAP_USED = Pattern.compile("total \\d+K, used (\\d+)K");
    private static final Pattern NMT_OTHER = Pattern.compile("Other \\(reserved=\\d+KB, committed=(\\d+)KB\\)");

    private final Map<String, Long> pids = new LinkedHashMap<>();

    public ServerProcesses(String spec) {
        if (spec != null && !spec.isBlank()) {
            for (String entry : spec.split(",")) {
                String[] nameAndPid = entry.split("=", 2);
                pids.put(nameAndPid[0], Long.parseLong(nameAndPid[1]));
            }
        }
    }

    public Map<String, Long> pids() {
        return pids;
    }

    /** CPU time of every process so far, in microseconds. */
    public Map<String, Long> cpuMicros() {
        Map<String, Long> cpu = new LinkedHashMap<>();
        pids.forEach((name, pid) -> cpu.put(name, cpuMicros(pid)));
        return cpu;
    }

    static long cpuMicros(long pid) {
        String stat = read(Path.of("/proc", Long.toString(pid), "stat"));
        // the command name (field 2) may hold spaces: count fields after its closing parenthesis
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
        long utime = Long.parseLong(fields[11]);
        long stime = Long.parseLong(fields[12]);
        return (utime + stime) * TICK_MICROS;
    }

    public static long rssBytes(long pid) {
        for (String line : read(Path.of("/proc", Long.toString(pid), "status")).split("\n")) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        throw new IllegalStateException("no VmRSS for process " + pid);
    }

    /** Heap in use right after a full GC (G1's "used"), in bytes. */
    public static long jvmHeapAfterGc(long pid) {
        jcmd(pid, "GC.run");
        Matcher used = HEAP_USED.matcher(jcmd(pid, "GC.heap_info"));
        if (!used.find()) {
            throw new IllegalStateException("jcmd GC.heap_info of " + pid + " shows no heap use");
        }
        return Long.parseLong(used.group(1)) * 1024;
    }

    /** Native memory outside the JVM's own areas (direct buffers) per NMT, or -1 when NMT is off. */
    public static long jvmDirectBytes(long pid) {
        Matcher other = NMT_OTHER.matcher(jcmd(pid, "VM.native_memory", "summary"));
        return other.find() ? Long.parseLong(other.group(1)) * 1024 : -1;
    }

    private static String jcmd(long pid, String... command) {
        String[] line = new String[command.length + 2];
        line[0] = "jcmd";
        line[1] = Long.toString(pid);
        System.arraycopy(command, 0, line, 2, command.length);
        try {
            Process process = new ProcessBuilder(line).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IllegalStateException("jcmd " + String.join(" ", command) + " failed: " + output);
            }
            return output;
        } catch (IOException e) {
            throw new IllegalStateException("cannot run jcmd", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String read(Path path) {
        try {
            return Files.readString(path);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + path, e);
        }
    }
}
