package io.github.siodistributor.benchmarks.load;

/**
 * The benchmarks' load generator: {@code LoadGenerator <scenario> --targets host:port[,host:port] ...}; prints one
 * {@code RESULT {json}} line. Scenarios: {@code echo} (round trips at a fixed rate), {@code broadcast} (room
 * fan-out), {@code connections} (idle memory per connection and the connection ceiling), {@code deliveries}
 * (Redis deliveries of a per-socket emit). {@code benchmarks/run.sh} drives it.
 */
public final class LoadGenerator {

    private LoadGenerator() {
    }

    public static void main(String[] args) throws Exception {
        Options options = Options.parse(args);
        Result result = switch (options.scenario()) {
            case "echo" -> new EchoScenario().run(options);
            case "broadcast" -> new BroadcastScenario().run(options);
            case "connections" -> new ConnectionsScenario().run(options);
            case "deliveries" -> new DeliveriesScenario().run(options);
            default -> throw new IllegalArgumentException("unknown scenario: " + options.scenario());
        };
        System.out.println("RESULT " + result.json());
        System.exit(0);
    }
}
