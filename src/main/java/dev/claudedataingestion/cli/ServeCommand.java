package dev.claudedataingestion.cli;

import dev.claudedataingestion.config.TelemetryConfig;
import dev.claudedataingestion.telemetry.OtlpReceiver;
import dev.claudedataingestion.warehouse.ViewCatalog;
import dev.claudedataingestion.warehouse.Warehouse;
import dev.claudedataingestion.warehouse.WarehouseLocation;
import java.io.IOException;
import java.net.BindException;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "serve", mixinStandardHelpOptions = true, versionProvider = Main.VersionProvider.class,
        description = {"Receives Claude Code's telemetry over OTLP/HTTP (POST /v1/logs and /v1/metrics, protobuf or"
                + " JSON) into claude_code_events and claude_code_metrics, each record once, until stopped. A request"
                + " is answered only once its rows are written.",
                "Environment: OTLP_TOKEN or OTLP_TOKEN_FILE (the bearer token exporters send), TELEMETRY_MAX_BODY"
                        + " (default 8MB), TELEMETRY_BUFFER_ROWS (default 50000), TELEMETRY_KEEP_CONTENT (default"
                        + " false), ANTHROPIC_ORGANIZATION_ID (for records that name no organization), PORT."})
final class ServeCommand implements Callable<Integer> {

    private final Context context;

    @Mixin
    WarehouseOption warehouse;

    @Option(names = "--port", paramLabel = "N", description = "port (default: $PORT, else 4318; 0 = any free one)")
    Integer port;

    @Option(names = "--bind", paramLabel = "ADDRESS",
            description = "address to listen on (default: 127.0.0.1; on Cloud Run 0.0.0.0)")
    String bind;

    @Option(names = "--no-token", description = "take requests without a bearer token beyond loopback: only where"
            + " the platform authenticates them (Cloud Run's IAM)")
    boolean noToken;

    @Option(names = "--existing-tables", description = "write to the tables as they are, without creating or changing"
            + " any: for an account that may only add rows to the telemetry tables (the ingestion job makes them)")
    boolean existingTables;

    ServeCommand(Context context) {
        this.context = context;
    }

    @Override
    public Integer call() throws IOException, InterruptedException {
        TelemetryConfig config = context.settings().telemetry(port, bind, noToken);
        WarehouseLocation location = context.warehouse(warehouse.url);
        try (Warehouse opened = location.open(false)) {
            if (!existingTables) {
                // The tables only: the views are ingest's, written with the price catalog it runs with.
                opened.ensureSchema(ViewCatalog.NONE);
            }
            OtlpReceiver receiver;
            try {
                receiver = OtlpReceiver.start(config, opened, OtlpReceiver.Batching.forWarehouse(
                        location.displayUrl()), context.clock());
            } catch (BindException e) {
                throw Main.cannotListen(config.bindAddress(), config.port(), e);
            }
            CountDownLatch stopped = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                receiver.close();
                context.out().println("Stopped: every request answered, every row acknowledged written");
                context.out().flush();
                stopped.countDown();
            }));
            context.out().println("Receiving Claude Code's telemetry at http://" + receiver.address().getHostString()
                    + ":" + receiver.address().getPort() + " (OTLP/HTTP) into " + location.displayUrl()
                    + (config.token().isPresent() ? ", bearer token required" : ""));
            context.out().flush();
            stopped.await();
        }
        return Main.OK;
    }
}
