package dev.claudedataingestion.pipeline;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * The local spool a window is fetched into could not be written or read: the disk is full, or the temporary folder
 * is missing or not writable. Nothing of the window was written to the warehouse.
 */
public final class SpoolException extends UncheckedIOException {

    SpoolException(String action, Path directory, IOException cause) {
        super("could not " + action + " a local spool file in " + directory + " (" + cause + "); free disk space"
                + " there, or point java.io.tmpdir at a folder with room", cause);
    }
}
