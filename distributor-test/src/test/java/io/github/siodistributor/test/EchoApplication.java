package io.github.siodistributor.test;

import org.springframework.boot.autoconfigure.SpringBootApplication;

/** The application the tests of this module test: {@link EchoHandler} and {@link OtherHandler}. */
@SpringBootApplication
class EchoApplication {
}
