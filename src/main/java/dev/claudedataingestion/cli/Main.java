package dev.claudedataingestion.cli;

import dev.claudedataingestion.analysis.notify.NotifyException;
import dev.claudedataingestion.config.ConfigException;
import dev.claudedataingestion.config.Settings;
import dev.claudedataingestion.ingest.SpoolException;
import dev.claudedataingestion.model.SafeText;
import dev.claudedataingestion.source.AdminApiException;
import dev.claudedataingestion.warehouse.StatementRefusedException;
import dev.claudedataingestion.warehouse.WarehouseException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine;

/** {@code claude-ingest}: the command line. Parses, builds configuration, runs, and maps failures to exit codes. */
@Command(name = "claude-ingest", mixinStandardHelpOptions = true, versionProvider = Main.VersionProvider.class,
        description = "Copies Claude usage, cost and Claude Code analytics from Anthropic's Admin API into a warehouse.",
        footer = {"", "Exit codes: 0 ok, 1 a check failed, 2 bad arguments or configuration, 3 Admin API failure,",
            "4 warehouse failure, 5 internal error."})
public final class Main implements Runnable {

    public static final int OK = 0;
    public static final int CHECK_FAILED = 1;
    public static final int BAD_CONFIGURATION = 2;
    public static final int API_FAILURE = 3;
    public static final int WAREHOUSE_FAILURE = 4;
    public static final int INTERNAL_ERROR = 5;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        try {
            // Read by LogConfiguration when logging starts, which is after these lines: nothing has logged yet.
            Settings settings = new Settings(System.getenv());
            System.setProperty(LogConfiguration.FORMAT_PROPERTY, settings.logFormat());
            System.setProperty(LogConfiguration.LEVEL_PROPERTY, settings.logLevel());
        } catch (ConfigException e) {
            System.exit(report(e, System.err, jsonErrors(System.getenv())));
        }
        int code;
        try {
            code = run(args, System.getenv(), Clock.systemUTC(), System.out, System.err,
                    System.console() != null && isTerminal(Path.of("/proc/self/fd/2")));
        } catch (Throwable error) {
            // An Error (out of memory, a native library that cannot load) gets one line and exit code 5 too.
            code = failure(INTERNAL_ERROR, error, "claude-ingest: internal error (" + error.getClass().getName()
                    + "): " + SafeText.forDisplay(String.valueOf(error.getMessage())), System.err,
                    jsonErrors(System.getenv()));
        }
        System.exit(code);
    }

    /**
     * Whether the file descriptor behind {@code link} (Linux's {@code /proc/self/fd/N}) is a terminal: a progress
     * bar's escape codes must not go into a file ({@code 2> log}) while standard input and output are a terminal.
     * Where there is no such link to read, {@link System#console()} alone decides.
     */
    static boolean isTerminal(Path link) {
        try {
            String target = Files.readSymbolicLink(link).toString();
            return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
        } catch (java.io.IOException | UnsupportedOperationException e) {
            return true;
        }
    }

    /** Runs one command line and returns its exit code. */
    public static int run(String[] args, Map<String, String> environment, Clock clock, PrintStream out, PrintStream err,
            boolean terminal) {
        Context context = new Context(environment, clock, out, err, terminal);
        boolean json = jsonErrors(environment);
        CommandLine commandLine = new CommandLine(new Main())
                .addSubcommand(new IngestCommand(context))
                .addSubcommand(new StatusCommand(context))
                .addSubcommand(new CheckCommand(context))
                .addSubcommand(new ReportCommand(context))
                .addSubcommand(new QueryCommand(context))
                .addSubcommand(new ExportCommand(context))
                .addSubcommand(new NotifyCommand(context))
                .addSubcommand(new PricesCommand(context))
                .addSubcommand(new DemoCommand(context))
                .addSubcommand(new ServeCommand(context))
                .addSubcommand(new SimulatorCommand(context))
                .addSubcommand(new BenchCommand(context))
                .addSubcommand(new picocli.AutoComplete.GenerateCompletion());
        commandLine.registerConverter(java.time.LocalDate.class, text -> {
            try {
                return java.time.LocalDate.parse(text);
            } catch (java.time.format.DateTimeParseException e) {
                throw new CommandLine.TypeConversionException("'" + text + "' is not a date; write it as YYYY-MM-DD,"
                        + " for example 2026-03-01");
            }
        });
        commandLine.setOut(new java.io.PrintWriter(out, true));
        commandLine.setErr(new java.io.PrintWriter(err, true));
        commandLine.setParameterExceptionHandler((exception, arguments) -> {
            // picocli repeats what it could not parse; an Admin key pasted as an argument must not be echoed.
            String line = "claude-ingest: " + SafeText.forDisplay(exception.getMessage());
            if (json) {
                return failure(BAD_CONFIGURATION, exception, line, err, true);
            }
            err.println(line);
            if (exception instanceof CommandLine.UnmatchedArgumentException unmatched) {
                CommandLine.UnmatchedArgumentException.printSuggestions(unmatched, new java.io.PrintWriter(err, true));
            }
            CommandLine failed = exception.getCommandLine();
            err.println("Try '" + failed.getCommandSpec().qualifiedName() + " --help'.");
            return BAD_CONFIGURATION;
        });
        commandLine.setExecutionExceptionHandler((exception, failed, parseResult) -> report(exception, err, json));
        if (args.length > 0 && !args[0].startsWith("-") && !commandLine.getSubcommands().containsKey(args[0])) {
            // picocli would let a --help after it print the top-level help and exit 0, as if the command existed.
            try {
                return commandLine.getParameterExceptionHandler().handleParseException(
                        new CommandLine.UnmatchedArgumentException(commandLine, List.of(args[0])), args);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
        return commandLine.execute(args);
    }

    /**
     * Prints one clear line for a failure and returns its exit code: text, or where logs are JSON (Cloud Run) one
     * JSON object, so that the same log filters and alerts see it as every other line.
     */
    static int report(Exception exception, PrintStream err, boolean json) {
        int code = exitCode(exception);
        String message = SafeText.forDisplay(exception.getMessage());
        String line = switch (code) {
            case BAD_CONFIGURATION -> "claude-ingest: " + (exception instanceof StatementRefusedException
                    ? "statement refused: " : "configuration error: ") + message;
            case API_FAILURE -> "claude-ingest: " + (exception instanceof AdminApiException ? "Admin API error: " : "")
                    + message;
            case WAREHOUSE_FAILURE -> "claude-ingest: " + (exception instanceof SpoolException ? "local disk error: "
                    : "warehouse error: ") + message;
            default -> "claude-ingest: internal error (" + exception.getClass().getName() + "): " + message;
        };
        return failure(code, exception, line, err, json);
    }

    /** What to do about each kind of failure, beyond what its message says. */
    private static String hint(int code) {
        return switch (code) {
            case BAD_CONFIGURATION -> "fix the setting or argument the message names; docs/configuration.md lists"
                    + " them all";
            case API_FAILURE -> "see docs/runbook.md, 'The key is wrong' and 'Rate limited, overloaded, slow'";
            case WAREHOUSE_FAILURE -> "the message names what the warehouse refused or lacks; docs/runbook.md,"
                    + " 'Permission denied' and docs/recovery.md have the fixes";
            default -> "this is a bug; please report it with this line";
        };
    }

    private static int failure(int code, Throwable error, String line, PrintStream err, boolean json) {
        if (json) {
            err.println(JsonLogLayout.failure(line, error.getClass().getSimpleName(), code, hint(code)));
        } else {
            err.println(line);
            if (code == INTERNAL_ERROR) {
                err.println("This is a bug; please report it with the lines above.");
            }
        }
        return code;
    }

    /** Whether failures are written as JSON: where the logs are ({@code LOG_FORMAT}, json on Cloud Run). */
    /** What a server command says when its port is taken or privileged, naming the way out. */
    static ConfigException cannotListen(String address, int port, java.net.BindException e) {
        return new ConfigException("cannot listen on " + address + ":" + port + " (" + e.getMessage() + "): "
                + (port > 0 && port < 1024 ? "ports below 1024 need privileges; " : "another program uses it; ")
                + "choose another with --port, or --port 0 for any free one");
    }

    static boolean jsonErrors(Map<String, String> environment) {
        Settings settings = new Settings(environment);
        try {
            return settings.logFormat().equals("json");
        } catch (ConfigException e) {
            return environment.containsKey(Settings.CLOUD_RUN_JOB);
        }
    }

    static int exitCode(Throwable exception) {
        if (exception instanceof ConfigException || exception instanceof StatementRefusedException) {
            return BAD_CONFIGURATION;
        }
        if (exception instanceof AdminApiException || exception instanceof Ingestion.DeadlineWithoutProgress
                || exception instanceof NotifyException) {
            return API_FAILURE;
        }
        if (exception instanceof WarehouseException || exception instanceof SpoolException) {
            return WAREHOUSE_FAILURE;
        }
        return INTERNAL_ERROR;
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    static final class VersionProvider implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"claude-data-ingestion " + Context.version()};
        }
    }
}
