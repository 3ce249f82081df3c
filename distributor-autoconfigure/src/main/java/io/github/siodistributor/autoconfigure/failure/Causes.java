package io.github.siodistributor.autoconfigure.failure;

/** What a start-up failure came down to, for the messages of the distributor's start-up exceptions. */
final class Causes {

    private Causes() {
    }

    static String rootMessage(Throwable failure) {
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage() == null ? root.toString() : root.getMessage();
    }
}
