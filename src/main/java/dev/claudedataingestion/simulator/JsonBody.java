package dev.claudedataingestion.simulator;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;

/** An answer's body, written when it is sent. */
interface JsonBody {
    void write(JsonGenerator json) throws IOException;

    /** The token counts and web searches of a usage result, in the order of {@code UsageTuple.measures()}. */
    static void writeTokens(JsonGenerator json, long[] m) throws IOException {
        json.writeNumberField("uncached_input_tokens", m[0]);
        json.writeObjectFieldStart("cache_creation");
        json.writeNumberField("ephemeral_5m_input_tokens", m[1]);
        json.writeNumberField("ephemeral_1h_input_tokens", m[2]);
        json.writeEndObject();
        json.writeNumberField("cache_read_input_tokens", m[3]);
        json.writeNumberField("output_tokens", m[4]);
        json.writeObjectFieldStart("server_tool_use");
        json.writeNumberField("web_search_requests", m[5]);
        json.writeEndObject();
    }
}
