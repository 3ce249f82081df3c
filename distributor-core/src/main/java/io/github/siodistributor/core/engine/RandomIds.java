package io.github.siodistributor.core.engine;

import java.security.SecureRandom;
import java.util.Base64;

/** Unguessable ids: by default 15 random bytes as 20 base64url characters, like the reference server's session ids. */
public final class RandomIds {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Base64.Encoder BASE64URL = Base64.getUrlEncoder().withoutPadding();

    private RandomIds() {
    }

    /** A new id of the characters {@code A-Z a-z 0-9 - _}. */
    public static String next() {
        return next(15);
    }

    /** A new id of {@code bytes} random bytes: 4 characters of {@code A-Z a-z 0-9 - _} for every 3 bytes. */
    public static String next(int bytes) {
        byte[] random = new byte[bytes];
        RANDOM.nextBytes(random);
        return BASE64URL.encodeToString(random);
    }
}
