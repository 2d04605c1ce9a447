package io.kimi.core.store.sqlite;

import io.kimi.core.Findings;
import io.kimi.core.IterationStats;
import java.sql.ResultSet;
import java.sql.SQLException;
import org.jdbi.v3.core.mapper.RowMapper;
import org.jdbi.v3.core.statement.StatementContext;

/** A {@code convergence_iterations} row as {@link IterationStats}. */
final class IterationMapper implements RowMapper<IterationStats> {
    @Override
    public IterationStats map(ResultSet rs, StatementContext ctx) throws SQLException {
        return new IterationStats(
                rs.getString("session_id"),
                rs.getInt("iteration"),
                new Findings(
                        rs.getLong("findings_critical"),
                        rs.getLong("findings_high"),
                        rs.getLong("findings_medium"),
                        rs.getLong("findings_low"),
                        rs.getLong("findings_info")),
                rs.getLong("fixes"),
                rs.getLong("vulnerabilities"),
                nullableLong(rs, "tests_passed"),
                nullableLong(rs, "tests_failed"),
                SqliteTime.parse(rs.getString("started_at")),
                SqliteTime.parse(rs.getString("ended_at")));
    }

    private static Long nullableLong(ResultSet rs, String column) throws SQLException {
        long value = rs.getLong(column);
        return rs.wasNull() ? null : value;
    }
}
