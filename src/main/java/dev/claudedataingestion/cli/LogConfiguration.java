package dev.claudedataingestion.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.PatternLayout;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.Layout;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import ch.qos.logback.core.spi.ContextAwareBase;
import org.slf4j.Logger;

/**
 * Logging, set up in code rather than from an XML file: parsing one costs every command about 0.15 s before its
 * first line (docs/benchmarks.md). Logs go to standard error, so that query output on standard output stays clean:
 * readable lines on a terminal, or one JSON object per line for Cloud Logging ({@code LOG_FORMAT=json}, the default
 * on Cloud Run). {@link Main} sets the format and level, already checked, as the system properties below.
 * A {@code logback.configurationFile}, or a {@code logback-test.xml} on the class path (the tests'), takes over.
 */
public final class LogConfiguration extends ContextAwareBase implements Configurator {

    static final String FORMAT_PROPERTY = "claude.ingest.log.format";
    static final String LEVEL_PROPERTY = "claude.ingest.log.level";

    @Override
    public ExecutionStatus configure(LoggerContext context) {
        if (System.getProperty("logback.configurationFile") != null
                || LogConfiguration.class.getClassLoader().getResource("logback-test.xml") != null) {
            return ExecutionStatus.INVOKE_NEXT_IF_ANY;
        }
        LayoutWrappingEncoder<ILoggingEvent> encoder = new LayoutWrappingEncoder<>();
        encoder.setContext(context);
        encoder.setLayout("json".equals(System.getProperty(FORMAT_PROPERTY)) ? new JsonLogLayout() : textLayout());
        encoder.getLayout().setContext(context);
        encoder.getLayout().start();
        encoder.start();

        ConsoleAppender<ILoggingEvent> appender = new ConsoleAppender<>();
        appender.setContext(context);
        appender.setName("console");
        appender.setTarget("System.err");
        appender.setEncoder(encoder);
        appender.start();

        ch.qos.logback.classic.Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.toLevel(System.getProperty(LEVEL_PROPERTY), Level.INFO));
        root.addAppender(appender);
        // The simulator's HTTP server narrates every exchange at DEBUG.
        context.getLogger("com.sun.net.httpserver").setLevel(Level.WARN);
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }

    /** {@code 12:34:56.789 INFO  message}, the message with keys redacted and control characters escaped. */
    private static Layout<ILoggingEvent> textLayout() {
        PatternLayout layout = new PatternLayout();
        layout.getInstanceConverterMap().put("msg", RedactingMessageConverter::new);
        layout.setPattern("%d{HH:mm:ss.SSS} %-5level %msg%n");
        return layout;
    }
}
