package io.github.siodistributor.test;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.core.annotation.AliasFor;

/**
 * An integration test of an application's {@code @SocketNamespace} handlers, through a real worker and a
 * real Redis: the application's context starts with the backend role, a worker listening on a free
 * loopback port and an embedded Redis server on a free port, no gateway (whatever {@code application.yml} says
 * about ports and roles), and a {@link DistributorTestClient} bean to inject, already pointed at the worker.
 * Sockets the client opened are disconnected after each test method.
 *
 * <pre>{@code
 * @DistributorTest
 * class ChatHandlerTest {
 *
 *     @Autowired
 *     DistributorTestClient client;
 *
 *     @Test
 *     void echoes() {
 *         TestSocket socket = client.connect("/chat");
 *         assertThat(socket.emitWithAck("echo", "hi").arg(0).asString()).isEqualTo("hi");
 *     }
 * }
 * }</pre>
 *
 * <p>It is a {@link SpringBootTest} (found the same way, cached the same way) with no web server by
 * default: the worker is the server the test talks to. Properties given here or in
 * {@code @TestPropertySource} win over the ones it sets; see {@link DistributorTestProperties}.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE)
@ExtendWith(DistributorTestExtension.class)
public @interface DistributorTest {

    /** Properties in {@code key=value} form, as {@link SpringBootTest#properties()}. */
    @AliasFor(annotation = SpringBootTest.class)
    String[] properties() default {};

    /** The classes that make up the context, as {@link SpringBootTest#classes()}; by default the application's. */
    @AliasFor(annotation = SpringBootTest.class)
    Class<?>[] classes() default {};

    /** The web environment, as {@link SpringBootTest#webEnvironment()}; none by default. */
    @AliasFor(annotation = SpringBootTest.class)
    SpringBootTest.WebEnvironment webEnvironment() default SpringBootTest.WebEnvironment.NONE;
}
