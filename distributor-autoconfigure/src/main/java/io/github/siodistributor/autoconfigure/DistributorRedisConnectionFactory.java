package io.github.siodistributor.autoconfigure;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.springframework.beans.factory.annotation.Qualifier;

/**
 * Qualifies a {@code RedisConnectionFactory} bean as the one the distributor uses, so that its
 * pub/sub traffic can go to a different Redis than the application's data (as Spring Session's
 * {@code @SpringSessionRedisConnectionFactory} does). Without it, the application's own factory is used.
 *
 * <p>Declare the bean with {@code @Bean(defaultCandidate = false)}: Spring Boot's own factory backs off for any
 * {@code RedisConnectionFactory} bean that is a default candidate, and the application's data would then go to
 * the distributor's Redis.
 */
@Target({ ElementType.FIELD, ElementType.METHOD, ElementType.PARAMETER, ElementType.TYPE, ElementType.ANNOTATION_TYPE })
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Qualifier
public @interface DistributorRedisConnectionFactory {
}
