package dev.claudedataingestion.cli;

import ch.qos.logback.classic.pattern.MessageConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import dev.claudedataingestion.config.AdminKey;

/** The text log's {@code %msg}, with anything shaped like an Anthropic key redacted: a last line of defence. */
public final class RedactingMessageConverter extends MessageConverter {

    @Override
    public String convert(ILoggingEvent event) {
        return AdminKey.redact(super.convert(event));
    }
}
