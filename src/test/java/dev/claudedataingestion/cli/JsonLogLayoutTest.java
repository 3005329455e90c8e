package dev.claudedataingestion.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonLogLayoutTest {

    private static LoggingEvent event(Level level, String message, Throwable throwable) {
        LoggerContext context = new LoggerContext();
        LoggingEvent event = new LoggingEvent("x", context.getLogger("dev.claudedataingestion.Test"), level, message,
                throwable, null);
        event.setMDCPropertyMap(Map.of("run_id", "r-1", "report", "cost"));
        return event;
    }

    @Test
    void writesOneObjectALineWithSeverityMessageAndTheRunsFields() throws Exception {
        String line = new JsonLogLayout().doLayout(event(Level.WARN, "retrying", null));
        assertThat(line).endsWith("\n").doesNotContain("\n{");
        JsonNode json = new ObjectMapper().readTree(line);
        assertThat(json.get("severity").asText()).isEqualTo("WARNING");
        assertThat(json.get("message").asText()).isEqualTo("retrying");
        assertThat(json.get("run_id").asText()).isEqualTo("r-1");
        assertThat(json.get("report").asText()).isEqualTo("cost");
        assertThat(json.get("time").asText()).endsWith("Z");
    }

    @Test
    void redactsKeysInMessagesAndStackTraces() throws Exception {
        String key = "sk-ant-admin01-" + "Z".repeat(30);
        String line = new JsonLogLayout().doLayout(event(Level.ERROR, "bad " + key,
                new IllegalStateException("also " + key)));
        JsonNode json = new ObjectMapper().readTree(line);
        assertThat(json.get("severity").asText()).isEqualTo("ERROR");
        assertThat(json.get("message").asText()).contains("IllegalStateException").contains("\tat ");
        assertThat(line).doesNotContain(key);
    }

    @Test
    void theTextLogRedactsKeysToo() {
        String key = "sk-ant-api03-" + "Y".repeat(30);
        assertThat(new RedactingMessageConverter().convert(event(Level.INFO, "key " + key, null)))
                .isEqualTo("key sk-ant-…[redacted]");
    }
}
