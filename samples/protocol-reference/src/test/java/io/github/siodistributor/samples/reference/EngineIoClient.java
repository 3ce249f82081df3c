package io.github.siodistributor.samples.reference;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import tools.jackson.databind.json.JsonMapper;

/**
 * Raw Engine.IO v4 over HTTP long-polling with the JDK's HTTP client: requests to {@code /socket.io/}
 * with any query, method and body, and {@link Session}s for the handshake, polls and posts of one sid.
 */
final class EngineIoClient {

    static final Duration TIMEOUT = Duration.ofSeconds(5);
    static final char RECORD_SEPARATOR = '\u001e';
    static final JsonMapper JSON = JsonMapper.builder().build();

    private final HttpClient http;
    private final String base;

    /** @param base {@code http://host:port} */
    EngineIoClient(HttpClient http, String base) {
        this.http = http;
        this.base = base;
    }

    /** {@code method /socket.io/?query} with an optional text body and header name/value pairs. */
    CompletableFuture<HttpResponse<String>> requestAsync(String method, String query, String body, String... headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + "/socket.io/?" + query))
                .timeout(TIMEOUT)
                .method(method, body == null ? BodyPublishers.noBody()
                        : BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        if (body != null) {
            request.header("Content-Type", "text/plain;charset=UTF-8");
        }
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return http.sendAsync(request.build(), BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    HttpResponse<String> request(String method, String query, String body, String... headers) {
        return await(requestAsync(method, query, body, headers), method + " ?" + query);
    }

    HttpResponse<String> get(String query) {
        return request("GET", query, null);
    }

    /** A new polling session; asserts that the handshake succeeded. */
    Session handshake() {
        HttpResponse<String> response = get("EIO=4&transport=polling");
        assertThat(response.statusCode()).as("handshake status, body %s", response.body()).isEqualTo(200);
        assertThat(response.body()).startsWith("0{");
        Map<String, Object> open = json(response.body().substring(1));
        return new Session((String) open.get("sid"), open);
    }

    /** One Engine.IO session over long-polling. */
    final class Session {

        final String sid;
        /** The open packet's data. */
        final Map<String, Object> open;
        /** Set by a test once it has seen the session live on its WebSocket, beyond the polling heartbeat's reach. */
        volatile boolean upgradeConfirmed;

        private Session(String sid, Map<String, Object> open) {
            this.sid = sid;
            this.open = open;
        }

        /** A GET that may stay parked on the server until it has something to send. */
        CompletableFuture<HttpResponse<String>> pollAsync() {
            return requestAsync("GET", "EIO=4&transport=polling&sid=" + sid, null);
        }

        HttpResponse<String> poll() {
            return await(pollAsync(), "poll of " + sid);
        }

        /** Posts packets (joined with the record separator). */
        HttpResponse<String> post(String... packets) {
            return request("POST", "EIO=4&transport=polling&sid=" + sid, String.join(
                    String.valueOf(RECORD_SEPARATOR), packets));
        }

        /**
         * Polls, answering each ping with a pong, until the packets received (in order, over all polls)
         * satisfy {@code enough}; returns them.
         */
        List<String> pollUntil(Predicate<List<String>> enough, String description) {
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            List<String> received = new ArrayList<>();
            while (!enough.test(received)) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("no " + description + " within " + TIMEOUT + "; received " + received);
                }
                HttpResponse<String> response = poll();
                assertThat(response.statusCode()).as("poll status, body %s, after %s", response.body(), received)
                        .isEqualTo(200);
                for (String packet : packets(response.body())) {
                    received.add(packet);
                    if (packet.equals("2")) {
                        assertThat(post("3").body()).isEqualTo("ok");
                    }
                }
            }
            return received;
        }
    }

    /** The packets of a polling payload. */
    static List<String> packets(String payload) {
        return Arrays.asList(payload.split(String.valueOf(RECORD_SEPARATOR), -1));
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> json(String object) {
        return JSON.readValue(object, Map.class);
    }

    static <T> T await(CompletableFuture<T> future, String what) {
        try {
            return future.get(TIMEOUT.toMillis() + 1000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw new UncheckedIOException(what + " failed: " + io, io);
            }
            throw new AssertionError(what + " failed: " + e.getCause(), e.getCause());
        } catch (InterruptedException | TimeoutException e) {
            throw new AssertionError(what + " got no answer within " + TIMEOUT, e);
        }
    }
}
