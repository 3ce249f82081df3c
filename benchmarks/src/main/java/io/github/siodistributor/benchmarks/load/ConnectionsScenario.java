package io.github.siodistributor.benchmarks.load;

import java.util.List;

/**
 * Idle connections on one server: memory per connection at each step (heap after a full GC, direct memory, RSS;
 * the difference from the empty server divided by the connections), then the ceiling: the last step's clients
 * are held for a while, and each must stay connected and keep getting the server's heartbeat pings.
 */
final class ConnectionsScenario {

    Result run(Options options) throws Exception {
        List<String> targets = options.list("targets", "127.0.0.1:9092").subList(0, 1);
        List<Integer> steps = options.list("steps", "2000,10000").stream().map(Integer::parseInt).toList();
        int holdSeconds = options.integer("hold", 15);
        int settleSeconds = options.integer("settle", 5);
        String memory = options.string("memory", "jvm"); // jvm: jcmd on the pid; node: ask the server
        long pid = Long.parseLong(options.string("pid", "0"));
        Result result = new Result();
        try (ClientPool pool = new ClientPool(options.integer("threads", 1))) {
            ControlClient control = memory.equals("node") ? new ControlClient(pool, targets.get(0)) : null;
            Thread.sleep(settleSeconds * 1000L);
            long[] baseline = measure(memory, pid, control);
            int connected = 0;
            long connectStart = System.nanoTime();
            for (int step : steps) {
                pool.connect(step - connected, targets, "/chat", new BenchClient.Listener() {
                }, 200);
                connected = step;
                result.put("connectSeconds." + step, Result.round((System.nanoTime() - connectStart) / 1e9));
                Thread.sleep(settleSeconds * 1000L);
                long[] now = measure(memory, pid, control);
                result.put("heapPerConnection." + step, Result.round((now[0] - baseline[0]) / 1024.0 / step));
                result.put("directPerConnection." + step, Result.round((now[1] - baseline[1]) / 1024.0 / step));
                result.put("rssPerConnection." + step, Result.round((now[2] - baseline[2]) / 1024.0 / step));
            }
            List<BenchClient> clients = pool.clients().subList(control == null ? 0 : 1, pool.clients().size());
            result.put("connected", clients.size());
            int[] pingsBefore = clients.stream().mapToInt(BenchClient::pings).toArray();
            Thread.sleep(holdSeconds * 1000L);
            int open = 0;
            int fewestPings = Integer.MAX_VALUE;
            for (int i = 0; i < clients.size(); i++) {
                BenchClient client = clients.get(i);
                if (client.isOpen()) {
                    open++;
                }
                fewestPings = Math.min(fewestPings, client.pings() - pingsBefore[i]);
            }
            return result.put("connections", connected)
                    .put("failedConnects", pool.failures())
                    .put("openAfterHold", open)
                    .put("holdSeconds", holdSeconds)
                    .put("fewestPingsInHold", fewestPings);
        }
    }

    /** heap, direct, RSS in bytes. */
    private static long[] measure(String memory, long pid, ControlClient control) throws Exception {
        if (control != null) {
            long heap = control.askNumber("mem", "heapUsed");
            long external = control.askNumber("mem", "external");
            return new long[] {heap, external, ServerProcesses.rssBytes(pid)};
        }
        long heap = ServerProcesses.jvmHeapAfterGc(pid);
        return new long[] {heap, ServerProcesses.jvmDirectBytes(pid), ServerProcesses.rssBytes(pid)};
    }
}
