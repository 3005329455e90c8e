package dev.claudedataingestion.cli;

import dev.claudedataingestion.analysis.AnalysisViews;
import dev.claudedataingestion.analysis.checks.CheckSettings;
import dev.claudedataingestion.analysis.checks.DataChecks;
import dev.claudedataingestion.analysis.notify.Digest;
import dev.claudedataingestion.analysis.notify.HttpWebhook;
import dev.claudedataingestion.analysis.notify.Notifier;
import dev.claudedataingestion.config.ConfigException;
import dev.claudedataingestion.config.Webhook;
import dev.claudedataingestion.model.ReportKind;
import dev.claudedataingestion.reports.Reports;
import dev.claudedataingestion.warehouse.Warehouse;
import dev.claudedataingestion.warehouse.WarehouseLocation;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "notify", mixinStandardHelpOptions = true, versionProvider = Main.VersionProvider.class,
        description = {"Posts to the incoming webhook NOTIFY_WEBHOOK_URL (Slack's format, or plain JSON) the checks"
            + " whose state changed since the last notify, and a spend digest once per day or week. A state is"
            + " never sent twice; one the webhook did not take is sent again next time (exit 3). One the webhook took"
            + " without answering may have arrived: it is recorded as delivery unknown (exit 3, shown by status),"
            + " and sent again only by --resend-unknown."})
final class NotifyCommand implements Callable<Integer> {

    enum DigestOption { daily, weekly, off }

    private final Context context;

    @Mixin
    WarehouseOption warehouse;

    @Mixin
    OrganizationOption organization;

    @Option(names = "--digest", paramLabel = "WHEN", defaultValue = "daily", description = "daily (default): the"
            + " last complete day; weekly: the last whole week, Monday to Sunday; off: checks only")
    DigestOption digest;

    @Option(names = "--monthly-budget", paramLabel = "USD",
            description = "the monthly budget in dollars (default: $" + CheckCommand.BUDGET_VARIABLE + ", else none)")
    BigDecimal monthlyBudget;

    @Option(names = "--dry-run", description = "print the message instead of posting it; records nothing, and needs"
            + " no webhook")
    boolean dryRun;

    @Option(names = "--resend-unknown", description = "first post again the messages the webhook took without"
            + " answering (delivery unknown; status lists them), once it is seen that they did not arrive")
    boolean resendUnknown;

    NotifyCommand(Context context) {
        this.context = context;
    }

    @Override
    public Integer call() {
        Optional<Webhook> webhook = dryRun ? Optional.empty() : Optional.of(context.settings().webhook());
        Optional<BigDecimal> budget = monthlyBudget != null ? Optional.of(monthlyBudget)
                : CheckCommand.budgetVariable(context);
        Instant now = context.clock().instant();
        LocalDate lastCompleteDay = Reports.of(ReportKind.COST).lastCompleteDay(now);
        CheckSettings settings = CheckSettings.defaults(context.settings().startDate(), now).withBudget(budget);
        Optional<Digest.Schedule> schedule = digest == DigestOption.off ? Optional.empty()
                : Optional.of(Digest.Schedule.valueOf(digest.name().toUpperCase(Locale.ROOT)));
        WarehouseLocation config = context.warehouse(warehouse.url);
        // Opened for writing, also for a dry run: a warehouse an older version made gets the notifications table.
        try (Warehouse opened = config.open(false)) {
            // The checks' many reads in one opening of the warehouse; not the posts, which may take a while.
            List<DataChecks.OrganizationChecks> checked = opened.together(() -> {
                opened.ensureSchema(AnalysisViews.catalog());
                DataChecks checks = new DataChecks(opened, settings);
                List<String> organizations = organization.select(checks.organizations(), id -> id);
                if (organizations.isEmpty()) {
                    throw new ConfigException("the warehouse holds no data yet; run 'claude-ingest ingest' first");
                }
                return checks.run(organizations);
            });
            Notifier notifier = new Notifier(opened, now);
            for (DataChecks.OrganizationChecks results : checked) {
                if (resendUnknown && !dryRun) {
                    int resent = notifier.resendUnknown(results.organizationId(), new HttpWebhook(webhook.get()));
                    if (resent > 0) {
                        context.out().printf("Resent to %s for organization %s: %d message%s whose delivery was"
                                + " unknown%n", webhook.get().display(), results.organizationId(), resent,
                                resent == 1 ? "" : "s");
                    }
                }
                Notifier.Outcome outcome = notifier.notify(results.organizationId(), results.results(), schedule,
                        lastCompleteDay, budget, webhook.map(HttpWebhook::new));
                List<Instant> unknown = outcome.unknownDeliveries();
                if (!unknown.isEmpty()) {
                    context.err().printf("warning: %d message%s to the webhook for organization %s, the last"
                            + " at %s, may not have arrived (the webhook gave no answer); see that %s did, or run"
                            + " notify --resend-unknown%n", unknown.size(), unknown.size() == 1 ? "" : "s",
                            results.organizationId(), unknown.get(unknown.size() - 1),
                            unknown.size() == 1 ? "it" : "they");
                }
                if (dryRun) {
                    context.out().println(outcome.notification().isEmpty() ? "Nothing to send for organization "
                            + results.organizationId() : outcome.notification().text());
                    context.out().println("(dry run: nothing was posted or recorded)");
                } else if (outcome.posted()) {
                    context.out().printf("Sent to %s for organization %s: %d check%s changed%s%n",
                            webhook.get().display(), results.organizationId(),
                            outcome.notification().changes().size(),
                            outcome.notification().changes().size() == 1 ? "" : "s",
                            outcome.notification().digest().map(d -> ", the " + d.schedule().id() + " digest of "
                                    + d.period()).orElse(""));
                } else {
                    context.out().printf("Nothing to send for organization %s: no check changed state%s%n",
                            results.organizationId(), schedule.map(s -> " and the " + s.id() + " digest of "
                                    + s.period(lastCompleteDay) + " was sent before").orElse(""));
                }
            }
        }
        return Main.OK;
    }
}
