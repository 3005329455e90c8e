package dev.claudedataingestion.sink.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** What {@code query} counts as one statement. */
class JdbcWarehouseTest {

    @Test
    void semicolonsInsideStringsNamesAndCommentsDoNotSeparateStatements() {
        assertThat(JdbcWarehouse.statementsIn("SELECT 1")).isEqualTo(1);
        assertThat(JdbcWarehouse.statementsIn("SELECT 1;")).isEqualTo(1);
        assertThat(JdbcWarehouse.statementsIn("SELECT 1; -- the end;\n  ")).isEqualTo(1);
        assertThat(JdbcWarehouse.statementsIn("SELECT 'a;b', \"c;d\", 'it''s; fine' /* ; */ FROM t")).isEqualTo(1);
        assertThat(JdbcWarehouse.statementsIn("SELECT $$;$$")).isEqualTo(1);
    }

    @Test
    void aSecondStatementIsCountedWhereverItHides() {
        assertThat(JdbcWarehouse.statementsIn("SELECT 1; DELETE FROM t")).isEqualTo(2);
        assertThat(JdbcWarehouse.statementsIn("SELECT ';'; DELETE FROM t")).isEqualTo(2);
        assertThat(JdbcWarehouse.statementsIn("SELECT 1 /* x */;\nCOPY t TO '/tmp/x'")).isEqualTo(2);
        assertThat(JdbcWarehouse.statementsIn("SELECT 'it''s';DELETE FROM t")).isEqualTo(2);
    }
}
