package io.github.siodistributor.core.engine;

import java.security.SecureRandom;
import java.util.Base64;

/** Unguessable ids: 15 random bytes as 20 base64url characters, like the reference server's session ids. */
public final class RandomIds {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Base64.Encoder BASE64URL = Base64.getUrlEncoder().withoutPadding();

    private RandomIds() {
    }

    /** A new id of the characters {@code A-Z a-z 0-9 - _}. */
    public static String next() {
        byte[] bytes = new byte[15];
        RANDOM.nextBytes(bytes);
        return BASE64URL.encodeToString(bytes);
    }
}
