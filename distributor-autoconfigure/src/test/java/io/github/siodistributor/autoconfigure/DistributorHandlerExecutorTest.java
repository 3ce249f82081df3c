package io.github.siodistributor.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.siodistributor.testsupport.TestRedis;
import java.net.URL;
import java.net.URLClassLoader;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.task.TaskExecutionAutoConfiguration;

/**
 * The backend's handler pool: as many threads as {@code distributor.backend.handler-threads}, named for thread dumps,
 * with the application's context class loader (a fork/join pool's default threads would get the system one).
 */
class DistributorHandlerExecutorTest {

    @AutoClose
    private static final TestRedis redis = TestRedis.startNew();

    @Test
    void handlerThreadsAreNamedCarryTheApplicationsClassLoaderAndNumberAsConfigured() throws Exception {
        ClassLoader original = Thread.currentThread().getContextClassLoader();
        ClassLoader application = new URLClassLoader(new URL[0], original);
        Thread.currentThread().setContextClassLoader(application);
        try {
            DistributorRunners.bothRoles(redis.port()).withPropertyValues("distributor.worker.enabled=false",
                    "distributor.backend.handler-threads=3").run(context -> {
                        assertThat(context).hasNotFailed();
                        ExecutorService pool = context.getBean("distributorHandlerExecutor", ExecutorService.class);
                        CountDownLatch release = new CountDownLatch(1);
                        AtomicInteger running = new AtomicInteger();
                        Set<Thread> threads = ConcurrentHashMap.newKeySet();
                        Set<ClassLoader> loaders = ConcurrentHashMap.newKeySet();
                        for (int i = 0; i < 4; i++) {
                            pool.execute(() -> {
                                threads.add(Thread.currentThread());
                                loaders.add(Thread.currentThread().getContextClassLoader());
                                running.incrementAndGet();
                                try {
                                    release.await(30, TimeUnit.SECONDS);
                                } catch (InterruptedException e) {
                                    Thread.currentThread().interrupt();
                                }
                            });
                        }
                        // three run at once, the fourth waits for a thread
                        await().atMost(Duration.ofSeconds(10)).until(() -> running.get() == 3);
                        assertThat(running.get()).isEqualTo(3);
                        release.countDown();
                        await().atMost(Duration.ofSeconds(10)).until(() -> running.get() == 4);

                        assertThat(threads).hasSize(3).allSatisfy(thread -> assertThat(thread.getName())
                                .matches("distributor-handler-[123]"));
                        assertThat(loaders).containsExactly(application);
                    });
        } finally {
            Thread.currentThread().setContextClassLoader(original);
        }
    }

    /**
     * The pool is the distributor's own: Spring Boot's task executor (for {@code @Async}, {@code spring.task.*}) is
     * still made, and an application's {@code Executor} injection point does not find two candidates.
     */
    @Test
    void theHandlerPoolDoesNotTakeThePlaceOfTheApplicationsTaskExecutor() {
        DistributorRunners.bothRoles(redis.port(), TaskExecutionAutoConfiguration.class)
                .withPropertyValues("distributor.worker.namespaces=/chat").run(context -> {
            assertThat(context).hasNotFailed().hasBean("applicationTaskExecutor").hasBean("distributorHandlerExecutor");
            assertThat(context.getBeanProvider(Executor.class).getIfUnique()).as("the one Executor to inject")
                    .isSameAs(context.getBean("applicationTaskExecutor"));
        });
    }
}
