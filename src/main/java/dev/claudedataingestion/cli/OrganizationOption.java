package dev.claudedataingestion.cli;

import dev.claudedataingestion.config.ConfigException;
import java.util.Collection;
import java.util.List;
import java.util.TreeSet;
import java.util.function.Function;
import picocli.CommandLine.Option;

/** {@code --organization}: one organization of a warehouse that holds several. */
final class OrganizationOption {

    @Option(names = "--organization", paramLabel = "ID", description = "only this organization, when the warehouse"
            + " holds several")
    String id;

    /** {@code items} of the chosen organization, or all of them; one not in the warehouse is named with the others. */
    <T> List<T> select(List<T> items, Function<T, String> organizationOf) {
        if (id == null) {
            return items;
        }
        List<T> chosen = items.stream().filter(item -> id.equals(organizationOf.apply(item))).toList();
        if (chosen.isEmpty()) {
            Collection<String> present = new TreeSet<>();
            items.stream().map(organizationOf).filter(java.util.Objects::nonNull).forEach(present::add);
            throw new ConfigException("--organization " + id + " is not in this warehouse; it holds "
                    + (present.isEmpty() ? "no organization yet" : String.join(", ", present)));
        }
        return chosen;
    }
}
