package dev.claudedataingestion.pipeline;

import dev.claudedataingestion.model.ClaudeCodeModelRow;
import dev.claudedataingestion.model.ClaudeCodeRow;
import dev.claudedataingestion.model.CostRow;
import dev.claudedataingestion.model.UsageRow;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A compact binary form of a report row, for the local spool a window is fetched into before it is written. */
interface RowCodec<T> {

    void write(T row, DataOutput out) throws IOException;

    T read(DataInput in) throws IOException;

    RowCodec<UsageRow> USAGE = new RowCodec<>() {
        @Override
        public void write(UsageRow row, DataOutput out) throws IOException {
            writeInstant(row.bucketStart(), out);
            writeString(row.bucketWidth(), out);
            writeString(row.apiKeyId(), out);
            writeString(row.workspaceId(), out);
            writeString(row.model(), out);
            writeString(row.serviceTier(), out);
            writeString(row.contextWindow(), out);
            writeString(row.inferenceGeo(), out);
            writeString(row.accountId(), out);
            writeString(row.serviceAccountId(), out);
            out.writeLong(row.uncachedInputTokens());
            out.writeLong(row.cacheCreation5mInputTokens());
            out.writeLong(row.cacheCreation1hInputTokens());
            out.writeLong(row.cacheReadInputTokens());
            out.writeLong(row.outputTokens());
            out.writeLong(row.webSearchRequests());
        }

        @Override
        public UsageRow read(DataInput in) throws IOException {
            return new UsageRow(readInstant(in), readString(in), readString(in), readString(in), readString(in),
                    readString(in), readString(in), readString(in), readString(in), readString(in), in.readLong(),
                    in.readLong(), in.readLong(), in.readLong(), in.readLong(), in.readLong());
        }
    };

    RowCodec<CostRow> COST = new RowCodec<>() {
        @Override
        public void write(CostRow row, DataOutput out) throws IOException {
            out.writeLong(row.activityDate().toEpochDay());
            writeString(row.workspaceId(), out);
            writeString(row.description(), out);
            writeString(row.costType(), out);
            writeString(row.model(), out);
            writeString(row.serviceTier(), out);
            writeString(row.contextWindow(), out);
            writeString(row.tokenType(), out);
            writeString(row.inferenceGeo(), out);
            writeString(row.currency(), out);
            writeDecimal(row.amountCents(), out);
        }

        @Override
        public CostRow read(DataInput in) throws IOException {
            return new CostRow(LocalDate.ofEpochDay(in.readLong()), readString(in), readString(in), readString(in),
                    readString(in), readString(in), readString(in), readString(in), readString(in), readString(in),
                    readDecimal(in));
        }
    };

    RowCodec<ClaudeCodeRow> CLAUDE_CODE = new RowCodec<>() {
        @Override
        public void write(ClaudeCodeRow row, DataOutput out) throws IOException {
            out.writeLong(row.activityDate().toEpochDay());
            writeString(row.actorType(), out);
            writeString(row.actorEmail(), out);
            writeString(row.actorApiKeyName(), out);
            writeString(row.terminalType(), out);
            out.writeByte(row.isRemote() == null ? 2 : row.isRemote() ? 1 : 0);
            writeString(row.customerType(), out);
            writeString(row.subscriptionType(), out);
            out.writeLong(row.numSessions());
            out.writeLong(row.linesAdded());
            out.writeLong(row.linesRemoved());
            out.writeLong(row.commits());
            out.writeLong(row.pullRequests());
            out.writeInt(row.toolActions().size());
            for (Map.Entry<String, ClaudeCodeRow.ToolActions> tool : row.toolActions().entrySet()) {
                writeString(tool.getKey(), out);
                out.writeLong(tool.getValue().accepted());
                out.writeLong(tool.getValue().rejected());
            }
            out.writeInt(row.models().size());
            for (ClaudeCodeModelRow model : row.models()) {
                writeString(model.model(), out);
                out.writeLong(model.inputTokens());
                out.writeLong(model.outputTokens());
                out.writeLong(model.cacheReadTokens());
                out.writeLong(model.cacheCreationTokens());
                writeDecimal(model.estimatedCostCents(), out);
            }
        }

        @Override
        public ClaudeCodeRow read(DataInput in) throws IOException {
            LocalDate day = LocalDate.ofEpochDay(in.readLong());
            String actorType = readString(in);
            String email = readString(in);
            String keyName = readString(in);
            String terminal = readString(in);
            byte remote = in.readByte();
            String customerType = readString(in);
            String subscriptionType = readString(in);
            long sessions = in.readLong();
            long added = in.readLong();
            long removed = in.readLong();
            long commits = in.readLong();
            long pullRequests = in.readLong();
            Map<String, ClaudeCodeRow.ToolActions> tools = new LinkedHashMap<>();
            for (int i = in.readInt(); i > 0; i--) {
                tools.put(readString(in), new ClaudeCodeRow.ToolActions(in.readLong(), in.readLong()));
            }
            List<ClaudeCodeModelRow> models = new ArrayList<>();
            for (int i = in.readInt(); i > 0; i--) {
                models.add(new ClaudeCodeModelRow(readString(in), in.readLong(), in.readLong(), in.readLong(),
                        in.readLong(), readDecimal(in)));
            }
            return new ClaudeCodeRow(day, actorType, email, keyName, terminal, remote == 2 ? null : remote == 1,
                    customerType, subscriptionType, sessions, added, removed, commits, pullRequests, tools, models);
        }
    };

    private static void writeString(String value, DataOutput out) throws IOException {
        if (value == null) {
            out.writeInt(-1);
            return;
        }
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        out.writeInt(bytes.length);
        out.write(bytes);
    }

    private static String readString(DataInput in) throws IOException {
        int length = in.readInt();
        if (length < 0) {
            return null;
        }
        byte[] bytes = new byte[length];
        in.readFully(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private static void writeInstant(Instant value, DataOutput out) throws IOException {
        out.writeLong(value.getEpochSecond());
        out.writeInt(value.getNano());
    }

    private static Instant readInstant(DataInput in) throws IOException {
        return Instant.ofEpochSecond(in.readLong(), in.readInt());
    }

    private static void writeDecimal(BigDecimal value, DataOutput out) throws IOException {
        byte[] unscaled = value.unscaledValue().toByteArray();
        out.writeInt(value.scale());
        out.writeInt(unscaled.length);
        out.write(unscaled);
    }

    private static BigDecimal readDecimal(DataInput in) throws IOException {
        int scale = in.readInt();
        byte[] unscaled = new byte[in.readInt()];
        in.readFully(unscaled);
        return new BigDecimal(new BigInteger(unscaled), scale);
    }
}
