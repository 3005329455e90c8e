package dev.claudedataingestion.config;

/** Bad arguments or configuration, found before any I/O. The message names the setting and the fix. */
public class ConfigException extends RuntimeException {

    public ConfigException(String message) {
        super(message);
    }
}
