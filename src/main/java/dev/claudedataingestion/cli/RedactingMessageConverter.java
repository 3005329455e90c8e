package dev.claudedataingestion.cli;

import ch.qos.logback.classic.pattern.MessageConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import dev.claudedataingestion.model.SafeText;

/**
 * The text log's {@code %msg}, with anything shaped like an Anthropic key redacted and control characters escaped:
 * a last line of defence, and one line per event.
 */
public final class RedactingMessageConverter extends MessageConverter {

    @Override
    public String convert(ILoggingEvent event) {
        return SafeText.forDisplay(super.convert(event));
    }
}
