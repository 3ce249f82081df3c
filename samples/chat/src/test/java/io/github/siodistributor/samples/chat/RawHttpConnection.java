package io.github.siodistributor.samples.chat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One HTTP/1.1 connection kept alive across requests, written and read by hand: what a browser or a proxy does
 * when it sends the requests of several Engine.IO sessions over one TCP connection.
 */
final class RawHttpConnection implements AutoCloseable {

    record Response(int status, Map<String, String> headers, String body) {
    }

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final String host;

    RawHttpConnection(String host, int port) throws IOException {
        this.host = host + ":" + port;
        socket = new Socket(host, port);
        socket.setSoTimeout(20_000);
        in = socket.getInputStream();
        out = socket.getOutputStream();
    }

    Response get(String target) throws IOException {
        return exchange("GET " + target + " HTTP/1.1\r\nHost: " + host + "\r\n\r\n", new byte[0]);
    }

    Response post(String target, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        return exchange("POST " + target + " HTTP/1.1\r\nHost: " + host + "\r\nContent-Type: text/plain;charset=UTF-8"
                + "\r\nContent-Length: " + bytes.length + "\r\n\r\n", bytes);
    }

    private Response exchange(String head, byte[] body) throws IOException {
        out.write(head.getBytes(StandardCharsets.US_ASCII));
        out.write(body);
        out.flush();
        return response(head.lines().findFirst().orElse(""));
    }

    /** Writes {@code requests} as they are, in one write: several make a pipeline. */
    void write(String requests) throws IOException {
        out.write(requests.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    /** Reads the next response; {@code request} names what it answers, for the error when none comes. */
    Response response(String request) throws IOException {
        String statusLine = line();
        if (statusLine == null) {
            throw new IOException("the connection was closed instead of answering " + request);
        }
        int status = Integer.parseInt(statusLine.split(" ")[1]);
        Map<String, String> headers = new LinkedHashMap<>();
        for (String header = line(); header != null && !header.isEmpty(); header = line()) {
            int colon = header.indexOf(':');
            headers.put(header.substring(0, colon).trim().toLowerCase(Locale.ROOT), header.substring(colon + 1).trim());
        }
        int length = Integer.parseInt(headers.getOrDefault("content-length", "0"));
        byte[] content = in.readNBytes(length);
        return new Response(status, headers, new String(content, StandardCharsets.UTF_8));
    }

    /** Whether the other side closed the connection (waits for it, or for a byte, up to the read timeout). */
    boolean closedByPeer() throws IOException {
        return in.read() == -1;
    }

    /**
     * Whether the other side closed the connection or reset it (a peer that closes with bytes of ours unread
     * resets), waiting for it up to the read timeout.
     */
    boolean closedOrResetByPeer() throws IOException {
        try {
            return in.read() == -1;
        } catch (java.net.SocketException e) {
            return String.valueOf(e.getMessage()).contains("reset");
        }
    }

    /** What arrives until the other side closes the connection, waiting for that up to the read timeout. */
    byte[] untilClosed() throws IOException {
        return in.readAllBytes();
    }

    private String line() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != -1) {
            if (b == '\n') {
                String text = bytes.toString(StandardCharsets.US_ASCII);
                return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
            }
            bytes.write(b);
        }
        return bytes.size() == 0 ? null : bytes.toString(StandardCharsets.US_ASCII);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
