package dev.claudedataingestion.ingest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * The local spool a window is fetched into could not be written or read: the disk is full, or the temporary folder
 * is missing or not writable. Nothing of the window was written to the warehouse. The message says which, and what
 * to do about it.
 */
public final class SpoolException extends UncheckedIOException {

    SpoolException(String action, Path directory, IOException cause) {
        super("could not " + action + " a local spool file in " + directory + ": " + diagnosis(directory, cause),
                cause);
    }

    private static String diagnosis(Path directory, IOException cause) {
        if (cause instanceof AccessDeniedException) {
            return "permission denied; give this user write access to " + directory + ", or point java.io.tmpdir at"
                    + " a folder it may write (JAVA_OPTS=-Djava.io.tmpdir=/some/folder)";
        }
        if (cause instanceof NoSuchFileException) {
            return "the folder does not exist; create it, or point java.io.tmpdir at one that does"
                    + " (JAVA_OPTS=-Djava.io.tmpdir=/some/folder)";
        }
        return cause + "; free disk space there, or point java.io.tmpdir at a folder with room";
    }
}
