package dev.claudedataingestion.cli;

import dev.claudedataingestion.config.ConfigException;
import dev.claudedataingestion.simulator.AdminApiSimulator;
import dev.claudedataingestion.simulator.Fault;
import dev.claudedataingestion.simulator.SyntheticOrganization;
import java.io.IOException;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "simulator", mixinStandardHelpOptions = true, versionProvider = Main.VersionProvider.class,
        description = "Serves the Admin API simulator on 127.0.0.1 until interrupted.")
final class SimulatorCommand implements Callable<Integer> {

    private final Context context;

    @Option(names = "--port", paramLabel = "N", defaultValue = "8080", description = "port (default: 8080; 0 = any)")
    int port;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "42", description = "the synthetic organization")
    long seed;

    @Option(names = "--workspaces", paramLabel = "N", defaultValue = "4",
            description = "workspaces of the synthetic organization (default: 4)")
    int workspaces;

    @Option(names = "--api-keys", paramLabel = "N", defaultValue = "12",
            description = "API keys (default: 12)")
    int apiKeys;

    @Option(names = "--models", paramLabel = "N", defaultValue = "4",
            description = "models in use (default: 4)")
    int models;

    @Option(names = "--users", paramLabel = "N", defaultValue = "20",
            description = "users, who also appear in Claude Code (default: 20)")
    int users;

    @Option(names = "--tiers", paramLabel = "N", defaultValue = "3",
            description = "service tiers in use: standard, batch, priority, flex (1 to 4; default: 3)")
    int tiers;

    @Option(names = "--context-windows", paramLabel = "N", defaultValue = "2",
            description = "context windows in use: 0-200k, 200k-1M (1 or 2; default: 2)")
    int contextWindows;

    @Option(names = "--history-days", paramLabel = "N", defaultValue = "400",
            description = "days of history before today (default: 400)")
    int historyDays;

    @Option(names = "--fault", paramLabel = "KIND[:COUNT]",
            description = "misbehave on the next COUNT report requests: a status (429:3, 500, 529), drop, truncate,"
                    + " malformed, slow-MILLIS, stall-MILLIS, has-more, duplicate-bucket, out-of-window, negative;"
                    + " repeatable")
    List<String> faults = List.of();

    @Option(names = "--results-cap", paramLabel = "N", defaultValue = "0",
            description = "answer 400 report_page_too_large to pages of more than N results or analytics rows,"
                    + " like the real API's size cap (0 = none)")
    int resultsCap;

    @Option(names = "--groups-cap", paramLabel = "N", defaultValue = "0",
            description = "answer 400 too_many_report_groups to analytics requests with a day of more than N groups"
                    + " (0 = none)")
    int groupsCap;

    SimulatorCommand(Context context) {
        this.context = context;
    }

    @Override
    public Integer call() throws IOException, InterruptedException {
        SyntheticOrganization organization;
        try {
            organization = new SyntheticOrganization(seed, new SyntheticOrganization.Size(workspaces, apiKeys, models,
                    users, tiers, contextWindows), LocalDate.now(context.clock().withZone(ZoneOffset.UTC)).minusDays(historyDays));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(e.getMessage());
        }
        AdminApiSimulator simulator = new AdminApiSimulator(organization, context.clock(), null);
        for (String fault : faults) {
            try {
                simulator.inject(Fault.parse(fault));
            } catch (IllegalArgumentException e) {
                throw new ConfigException("--fault: " + e.getMessage());
            }
        }
        simulator.capResultsPerResponse(resultsCap);
        simulator.capGroupsPerDay(groupsCap);
        if (port < 0 || port > 65_535) {
            throw new ConfigException("--port " + port + " is not a port; choose one from 1024 to 65535, or 0 for any"
                    + " free one");
        }
        try {
            simulator.start(port);
        } catch (java.net.BindException e) {
            throw Main.cannotListen("127.0.0.1", port, e);
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            simulator.close();
            stopped.countDown();
        }));
        context.out().println("Admin API simulator for organization " + organization.id() + " at "
                + simulator.baseUrl());
        context.out().println("Use it with: ANTHROPIC_BASE_URL=" + simulator.baseUrl()
                + " ANTHROPIC_ADMIN_API_KEY=" + AdminApiSimulator.DEMO_KEY + " ./claude-ingest ingest");
        context.out().flush();
        stopped.await();
        return Main.OK;
    }
}
