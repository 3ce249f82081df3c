package io.github.siodistributor.samples.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.siodistributor.core.gateway.DistributorGateway;
import io.github.siodistributor.core.protocol.SocketIds;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * TLS at the gateway from a Spring Boot SSL bundle: a self-signed PKCS12 key store made here with the JDK's
 * keytool, JavaScript clients that trust only its certificate, over HTTPS long-polling and WSS.
 */
class GatewayTlsTest extends ChatClusterTestSupport {

    private static final String PASSWORD = "gateway-secret";

    @TempDir
    static Path dir;
    private static ConfigurableApplicationContext gateway;
    private static String certificate;

    @BeforeAll
    static void startCluster() throws Exception {
        Path keyStore = dir.resolve("gateway.p12");
        Path pem = dir.resolve("gateway.pem");
        Keytool.run("-genkeypair", "-alias", "gateway", "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
                "-dname", "CN=127.0.0.1", "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-storetype", "PKCS12",
                "-keystore", keyStore.toString(), "-storepass", PASSWORD, "-keypass", PASSWORD);
        Keytool.run("-exportcert", "-rfc", "-alias", "gateway", "-keystore", keyStore.toString(), "-storepass", PASSWORD,
                "-file", pem.toString());
        certificate = Files.readString(pem);
        cluster = new ChatCluster();
        cluster.backend(RecordingHandler.class);
        cluster.worker("w1", List.of("distributor.worker.advertised-address=127.0.0.1"), RecordingHandler.class);
        gateway = cluster.gateway("spring.ssl.bundle.jks.gateway.keystore.location=file:" + keyStore,
                "spring.ssl.bundle.jks.gateway.keystore.password=" + PASSWORD,
                "spring.ssl.bundle.jks.gateway.keystore.type=PKCS12", "distributor.gateway.ssl.bundle=gateway",
                "distributor.gateway.refresh-interval=200ms");
        DistributorGateway started = gateway.getBean(DistributorGateway.class);
        await().atMost(Duration.ofSeconds(WAIT_SECONDS)).until(() -> started.workers().size() == 1);
    }

    @Test
    void clientsTrustingTheBundlesCertificateConnectOverHttpsAndWss() throws Exception {
        String url = "https://127.0.0.1:" + gateway.getBean(DistributorGateway.class).port();
        clients.connect("polling", url, "/recorded", null, Map.of("transports", List.of("polling"), "ca", certificate));
        clients.connect("upgraded", url, "/recorded", null, Map.of("ca", certificate));
        for (String client : List.of("polling", "upgraded")) {
            assertThat(SocketIds.workerOf(clients.awaitConnect(client).get("socketId").asText())).isEqualTo("w1");
        }
        assertThat(clients.awaitUpgrade("upgraded").get("transport").asText()).isEqualTo("websocket");
        for (String client : List.of("polling", "upgraded")) {
            assertThat(clients.emitWithAck(client, "join", "tls").get(WAIT_SECONDS, TimeUnit.SECONDS).get(0).asText())
                    .isEqualTo("tls");
        }
        // a client that does not trust the certificate gets no session
        clients.connect("stranger", url, "/recorded", null, Map.of("transports", List.of("polling")));
        assertThat(clients.awaitConnectError("stranger").path("message").asText()).isNotBlank();
    }
}
