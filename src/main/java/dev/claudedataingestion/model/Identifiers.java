package dev.claudedataingestion.model;

import java.util.regex.Pattern;

/** SQL identifiers are only ever written from this project's own names, and checked even so. */
public final class Identifiers {

    private static final Pattern SAFE = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

    private Identifiers() {
    }

    /** Returns {@code name} if it is a plain lower-case identifier, and throws otherwise. */
    public static String require(String name) {
        if (name == null || !SAFE.matcher(name).matches()) {
            throw new IllegalArgumentException("not a safe SQL identifier: " + name);
        }
        return name;
    }
}
