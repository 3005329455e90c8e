package dev.claudedataingestion.warehouse;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** What counts as one statement, and which {@code @name} is a parameter. */
class SqlTextTest {

    @Test
    void semicolonsInsideStringsNamesAndCommentsDoNotSeparateStatements() {
        assertThat(SqlText.statements("SELECT 1")).isEqualTo(1);
        assertThat(SqlText.statements("SELECT 1;")).isEqualTo(1);
        assertThat(SqlText.statements("SELECT 1; -- the end;\n  ")).isEqualTo(1);
        assertThat(SqlText.statements("SELECT 'a;b', \"c;d\", 'it''s; fine' /* ; */ FROM t")).isEqualTo(1);
        assertThat(SqlText.statements("SELECT $$;$$")).isEqualTo(1);
    }

    @Test
    void aSecondStatementIsCountedWhereverItHides() {
        assertThat(SqlText.statements("SELECT 1; DELETE FROM t")).isEqualTo(2);
        assertThat(SqlText.statements("SELECT ';'; DELETE FROM t")).isEqualTo(2);
        assertThat(SqlText.statements("SELECT 1 /* x */;\nCOPY t TO '/tmp/x'")).isEqualTo(2);
        assertThat(SqlText.statements("SELECT 'it''s';DELETE FROM t")).isEqualTo(2);
        assertThat(SqlText.statements("SELECT 1 AS `x`; DELETE FROM t")).isEqualTo(2);
    }

    @Test
    void namedParametersBecomePositionalInOrderAndNothingElseDoes() {
        SqlText.Positional bound = SqlText.positional("SELECT * FROM t WHERE a = @org AND d BETWEEN @first AND @last"
                + " AND email LIKE '%@org' AND b = @other -- @org\n AND c = @org", Set.of("org", "first", "last"));

        assertThat(bound.sql()).isEqualTo("SELECT * FROM t WHERE a = ? AND d BETWEEN ? AND ?"
                + " AND email LIKE '%@org' AND b = @other -- @org\n AND c = ?");
        assertThat(bound.parameters()).isEqualTo(List.of("org", "first", "last", "org"));
        assertThat(SqlText.positional("SELECT @organization", Set.of("org")).sql()).isEqualTo("SELECT @organization");
    }
}
