package io.github.siodistributor.samples.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.siodistributor.core.gateway.DistributorGateway;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.X509Certificate;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * A renewed certificate at the gateway: its SSL bundle reloads when the key store file changes
 * ({@code reload-on-update}), and new connections get the new certificate without a restart.
 */
class GatewayTlsReloadTest {

    private static final String PASSWORD = "gateway-secret";

    @TempDir
    Path dir;

    @Test
    void newConnectionsGetTheCertificateOfTheKeyStoreThatReplacedTheOldOne() throws Exception {
        Path keyStore = dir.resolve("gateway.p12");
        keyPair(keyStore, "CN=first");
        try (ChatCluster cluster = new ChatCluster()) {
            ConfigurableApplicationContext gateway = cluster.gateway(
                    "spring.ssl.bundle.jks.gateway.keystore.location=file:" + keyStore,
                    "spring.ssl.bundle.jks.gateway.keystore.password=" + PASSWORD,
                    "spring.ssl.bundle.jks.gateway.keystore.type=PKCS12",
                    "spring.ssl.bundle.jks.gateway.reload-on-update=true",
                    "spring.ssl.bundle.watch.file.quiet-period=100ms", "distributor.gateway.ssl.bundle=gateway");
            int port = gateway.getBean(DistributorGateway.class).port();
            assertThat(subjectServedOn(port)).isEqualTo("CN=first");

            Path renewed = dir.resolve("renewed.p12");
            keyPair(renewed, "CN=second");
            Files.move(renewed, keyStore, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);

            await("the renewed certificate served").atMost(Duration.ofSeconds(30))
                    .until(() -> subjectServedOn(port).equals("CN=second"));
        }
    }

    /** The subject of the certificate a new TLS connection to {@code port} is given. */
    private static String subjectServedOn(int port) throws Exception {
        X509Certificate[][] served = new X509Certificate[1][];
        TrustManager recording = new X509TrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) {
                served[0] = chain;
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        };
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, new TrustManager[] { recording }, null);
        try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            socket.startHandshake();
        }
        return served[0][0].getSubjectX500Principal().getName();
    }

    private static void keyPair(Path keyStore, String subject) throws Exception {
        Keytool.run("-genkeypair", "-alias", "gateway", "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
                "-dname", subject, "-storetype", "PKCS12", "-keystore", keyStore.toString(), "-storepass", PASSWORD,
                "-keypass", PASSWORD);
    }
}
