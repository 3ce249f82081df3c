package io.github.siodistributor.benchmarks.load;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where the echo scenario's round trips go, read from a capture of the loopback interface ({@code tcpdump -i lo
 * -w}, see {@code run.sh --hops}): for each echo, the time its bytes crossed the interface at every hop, matched by
 * socket id and the echo's number; per hop, percentiles over the echoes of the last seconds of the capture (the
 * measured window). A capture's timestamps are the senders': a hop's time is the next process's wake-up and work
 * before it sent on, plus the kernel's delivery. tcpdump itself costs CPU, so the absolute figures are higher than
 * without it; the split is what this is for.
 *
 * <p>usage: {@code HopTimes <capture.pcap> <server port,...> <redis port> [seconds]}
 */
public final class HopTimes {

    /** Where an echo's bytes are seen, in the order they pass. The Node peer has only the first and the last. */
    enum Point {
        CLIENT_SENT("client frame"),
        TO_BACKEND_PUBLISHED("worker's PUBLISH"),
        TO_BACKEND_DELIVERED("delivery to the backend"),
        TO_WORKER_PUBLISHED("backend's PUBLISH"),
        TO_WORKER_DELIVERED("delivery to the worker"),
        ANSWER_SENT("answer to the client");

        final String label;

        Point(String label) {
            this.label = label;
        }
    }

    /** An echo's number, as the client sends it ({@code ["echo",12]}) and as it comes back ({@code [12]}). */
    private static final Pattern ECHO_NUMBER = Pattern.compile("[\\[,](\\d+)]");
    private static final Pattern SID = Pattern.compile("\"sid\":\"([^\"]+)\"");
    private static final int ETHERNET = 1;
    private static final int LINUX_COOKED = 113;

    private final Set<Integer> serverPorts;
    private final int redisPort;
    /** Per client connection (its port), its socket id: the last sid the server sent it (the namespace's). */
    private final Map<Integer, String> socketIdByPort = new HashMap<>();
    /** The workers' ids as socket ids start with them ({@code <worker id>.}): how a socket id is found in Redis. */
    private final Set<String> socketIdPrefixes = new LinkedHashSet<>();
    private final Map<String, EnumMap<Point, Long>> echoes = new HashMap<>();
    private long lastClientFrame;

    HopTimes(Set<Integer> serverPorts, int redisPort) {
        this.serverPorts = serverPorts;
        this.redisPort = redisPort;
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 3) {
            System.err.println("usage: HopTimes <capture.pcap> <server port,...> <redis port> [seconds]");
            System.exit(2);
        }
        Set<Integer> ports = new LinkedHashSet<>();
        for (String port : args[1].split(",")) {
            ports.add(Integer.parseInt(port));
        }
        HopTimes hops = new HopTimes(ports, Integer.parseInt(args[2]));
        hops.readCapture(Files.readAllBytes(Path.of(args[0])));
        System.out.print(hops.markdown(args.length > 3 ? Double.parseDouble(args[3]) : 15));
    }

    /** Reads a libpcap file (microsecond or nanosecond timestamps, Ethernet or Linux cooked framing, IPv4). */
    void readCapture(byte[] file) {
        ByteBuffer in = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        int magic = in.getInt(0);
        if (magic == 0xd4c3b2a1 || magic == 0x4d3cb2a1) {
            in.order(ByteOrder.BIG_ENDIAN);
            magic = in.getInt(0);
        }
        if (magic != 0xa1b2c3d4 && magic != 0xa1b23c4d) {
            throw new IllegalArgumentException("not a libpcap capture (magic " + Integer.toHexString(magic) + ")");
        }
        long fraction = magic == 0xa1b23c4d ? 1 : 1_000;
        int linkType = in.getInt(20);
        int linkHeader = switch (linkType) {
            case ETHERNET -> 14;
            case LINUX_COOKED -> 16;
            default -> throw new IllegalArgumentException("link type " + linkType + " is not read here: capture "
                    + "with tcpdump -i lo");
        };
        int at = 24;
        while (at + 16 <= file.length) {
            long nanos = (in.getInt(at) & 0xffffffffL) * 1_000_000_000L + (in.getInt(at + 4) & 0xffffffffL) * fraction;
            int length = in.getInt(at + 8);
            int ip = at + 16 + linkHeader;
            at += 16 + length;
            if (at > file.length || (file[ip] >> 4) != 4) {
                continue;
            }
            int tcp = ip + (file[ip] & 0x0f) * 4;
            int payload = tcp + ((file[tcp + 12] >> 4) & 0x0f) * 4;
            if (payload < at) {
                int source = ((file[tcp] & 0xff) << 8) | (file[tcp + 1] & 0xff);
                int destination = ((file[tcp + 2] & 0xff) << 8) | (file[tcp + 3] & 0xff);
                segment(nanos, source, destination, new String(file, payload, at - payload,
                        StandardCharsets.ISO_8859_1));
            }
        }
    }

    /** One TCP segment's payload; bytes as ISO-8859-1 characters, one for one. */
    void segment(long nanos, int source, int destination, String payload) {
        if (serverPorts.contains(destination)) {
            String socketId = socketIdByPort.get(source);
            if (socketId != null) {
                echoNumbers(unmaskedText(payload), socketId, Point.CLIENT_SENT, nanos);
                lastClientFrame = nanos;
            }
        } else if (serverPorts.contains(source)) {
            Matcher sid = SID.matcher(payload);
            while (sid.find()) {
                String socketId = sid.group(1);
                socketIdByPort.put(destination, socketId);
                int dot = socketId.lastIndexOf('.');
                if (dot > 0) {
                    socketIdPrefixes.add(socketId.substring(0, dot + 1));
                }
            }
            String socketId = socketIdByPort.get(destination);
            if (socketId != null) {
                echoNumbers(payload, socketId, Point.ANSWER_SENT, nanos);
            }
        } else if (destination == redisPort && payload.contains("PUBLISH")) {
            redisMessages(payload, payload.contains(":instance:") ? Point.TO_BACKEND_PUBLISHED
                    : Point.TO_WORKER_PUBLISHED, nanos);
        } else if (source == redisPort && payload.contains("message")) {
            redisMessages(payload, payload.contains(":instance:") ? Point.TO_BACKEND_DELIVERED
                    : Point.TO_WORKER_DELIVERED, nanos);
        }
    }

    /** A segment to or from Redis may carry several messages: each number belongs to the socket id before it. */
    private void redisMessages(String payload, Point point, long nanos) {
        List<int[]> ids = new ArrayList<>();
        for (String prefix : socketIdPrefixes) {
            for (int from = payload.indexOf(prefix); from >= 0; from = payload.indexOf(prefix, from + 1)) {
                int end = from + prefix.length();
                while (end < payload.length() && isIdCharacter(payload.charAt(end))) {
                    end++;
                }
                ids.add(new int[] {from, end});
            }
        }
        ids.sort((a, b) -> Integer.compare(a[0], b[0]));
        for (int i = 0; i < ids.size(); i++) {
            int next = i + 1 < ids.size() ? ids.get(i + 1)[0] : payload.length();
            echoNumbers(payload.substring(ids.get(i)[1], next), payload.substring(ids.get(i)[0], ids.get(i)[1]),
                    point, nanos);
        }
    }

    /** What a worker id and a socket's local id are made of (ASCII only: the envelope's length bytes follow). */
    private static boolean isIdCharacter(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    }

    private void echoNumbers(String text, String socketId, Point point, long nanos) {
        Matcher number = ECHO_NUMBER.matcher(text);
        while (number.find()) {
            echoes.computeIfAbsent(socketId + " " + number.group(1), key -> new EnumMap<>(Point.class))
                    .putIfAbsent(point, nanos);
        }
    }

    /** One row per hop that every counted echo passed, then the server side as a whole. */
    String markdown(double lastSeconds) {
        long from = lastClientFrame - (long) (lastSeconds * 1e9);
        List<EnumMap<Point, Long>> counted = new ArrayList<>();
        for (EnumMap<Point, Long> seen : echoes.values()) {
            Long sent = seen.get(Point.CLIENT_SENT);
            if (sent != null && sent >= from && seen.containsKey(Point.ANSWER_SENT)) {
                counted.add(seen);
            }
        }
        StringBuilder out = new StringBuilder("| hop | echoes | p50 ms | p90 ms | p99 ms |\n| --- | --- | --- | --- | --- |\n");
        if (counted.isEmpty()) {
            return out.append("| (no echo with a client frame and an answer in the capture) | 0 | | | |\n").toString();
        }
        // the path is the longest one seen (the Node peer's has two points); an echo whose segment the capture cut
        // short lacks a point and is left out
        List<Point> path = new ArrayList<>(counted.stream().max((a, b) -> Integer.compare(a.size(), b.size()))
                .orElseThrow().keySet());
        counted.removeIf(seen -> !seen.keySet().containsAll(path));
        for (int i = 1; i < path.size(); i++) {
            Point before = path.get(i - 1);
            Point after = path.get(i);
            row(out, before.label + " -> " + after.label, counted, before, after);
        }
        row(out, "server side: client frame -> answer", counted, Point.CLIENT_SENT, Point.ANSWER_SENT);
        return out.toString();
    }

    private static void row(StringBuilder out, String hop, List<EnumMap<Point, Long>> echoes, Point from, Point to) {
        long[] nanos = echoes.stream().mapToLong(seen -> seen.get(to) - seen.get(from)).sorted().toArray();
        out.append(String.format(Locale.ROOT, "| %s | %d | %.3f | %.3f | %.3f |%n", hop, nanos.length,
                percentile(nanos, 50), percentile(nanos, 90), percentile(nanos, 99)));
    }

    private static double percentile(long[] sorted, int percent) {
        return sorted[Math.min(sorted.length - 1, sorted.length * percent / 100)] / 1e6;
    }

    /** The text of the client's WebSocket frames a segment holds, unmasked. */
    static String unmaskedText(String segment) {
        StringBuilder text = new StringBuilder();
        int at = 0;
        while (at + 2 <= segment.length()) {
            int second = segment.charAt(at + 1);
            boolean masked = (second & 0x80) != 0;
            int length = second & 0x7f;
            int next = at + 2;
            if (length == 126 && next + 2 <= segment.length()) {
                length = (segment.charAt(next) << 8) | segment.charAt(next + 1);
                next += 2;
            } else if (length >= 126) {
                return text.toString(); // far larger than an echo
            }
            int mask = next;
            next += masked ? 4 : 0;
            int end = Math.min(segment.length(), next + length);
            for (int i = next; i < end; i++) {
                char c = segment.charAt(i);
                text.append(masked ? (char) (c ^ segment.charAt(mask + ((i - next) & 3))) : c);
            }
            at = end;
        }
        return text.toString();
    }
}
