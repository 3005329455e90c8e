package dev.claudedataingestion.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.StackTraceElementProxy;
import ch.qos.logback.core.LayoutBase;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.claudedataingestion.model.SafeText;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;

/**
 * One JSON object per line, as Cloud Logging reads a job's standard error: {@code severity} and {@code message}
 * where it looks for them, {@code time}, the logger, and every MDC field of the run ({@code run_id}, {@code report},
 * {@code window}, {@code rows}, {@code request_id}, …) at the top level so that queries can filter on them.
 * Anything shaped like an Anthropic key is redacted, in the message and in stack traces.
 */
public final class JsonLogLayout extends LayoutBase<ILoggingEvent> {

    private static final JsonFactory JSON = new JsonFactory();

    @Override
    public String doLayout(ILoggingEvent event) {
        StringWriter text = new StringWriter();
        try (JsonGenerator json = JSON.createGenerator(text)) {
            json.writeStartObject();
            json.writeStringField("severity", severity(event.getLevel()));
            String message = SafeText.redact(event.getFormattedMessage());
            if (event.getThrowableProxy() != null) {
                // Error Reporting finds stack traces in the message.
                message = message + "\n" + SafeText.redact(stackTrace(event.getThrowableProxy()));
            }
            json.writeStringField("message", message);
            json.writeStringField("time", Instant.ofEpochMilli(event.getTimeStamp()).toString());
            json.writeStringField("logger", event.getLoggerName());
            Map<String, String> fields = new TreeMap<>(event.getMDCPropertyMap());
            for (Map.Entry<String, String> field : fields.entrySet()) {
                json.writeStringField(field.getKey(), SafeText.redact(field.getValue()));
            }
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return text + "\n";
    }

    /**
     * The line of a command that fails before or outside logging: severity ERROR, the message, the error's class,
     * the exit code and what to do, so that Cloud Logging's filters and the alerts see it like any other line.
     */
    static String failure(String message, String error, int exitCode, String hint) {
        StringWriter text = new StringWriter();
        try (JsonGenerator json = JSON.createGenerator(text)) {
            json.writeStartObject();
            json.writeStringField("severity", "ERROR");
            json.writeStringField("message", SafeText.redact(message));
            json.writeStringField("time", Instant.now().toString());
            json.writeStringField("logger", "claude-ingest");
            json.writeStringField("error", error);
            json.writeNumberField("exit_code", exitCode);
            json.writeStringField("hint", hint);
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return text.toString();
    }

    /** Cloud Logging's names for the levels. */
    static String severity(Level level) {
        if (level.isGreaterOrEqual(Level.ERROR)) {
            return "ERROR";
        }
        if (level.isGreaterOrEqual(Level.WARN)) {
            return "WARNING";
        }
        if (level.isGreaterOrEqual(Level.INFO)) {
            return "INFO";
        }
        return "DEBUG";
    }

    private static String stackTrace(IThrowableProxy throwable) {
        StringBuilder text = new StringBuilder();
        for (IThrowableProxy cause = throwable; cause != null; cause = cause.getCause()) {
            text.append(cause == throwable ? "" : "Caused by: ").append(cause.getClassName()).append(": ")
                    .append(cause.getMessage()).append('\n');
            for (StackTraceElementProxy frame : cause.getStackTraceElementProxyArray()) {
                text.append("\tat ").append(frame.getStackTraceElement()).append('\n');
            }
        }
        return text.toString();
    }
}
