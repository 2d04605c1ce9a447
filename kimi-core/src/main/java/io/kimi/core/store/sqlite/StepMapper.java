package io.kimi.core.store.sqlite;

import io.kimi.core.StepStats;
import java.sql.ResultSet;
import java.sql.SQLException;
import org.jdbi.v3.core.mapper.RowMapper;
import org.jdbi.v3.core.statement.StatementContext;

/** A {@code convergence_steps} row as {@link StepStats}. */
final class StepMapper implements RowMapper<StepStats> {
    @Override
    public StepStats map(ResultSet rs, StatementContext ctx) throws SQLException {
        return new StepStats(
                rs.getString("session_id"),
                rs.getInt("iteration"),
                rs.getString("step"),
                nullableDouble(rs, "duration_seconds"),
                rs.getString("status"));
    }

    private static Double nullableDouble(ResultSet rs, String column) throws SQLException {
        double value = rs.getDouble(column);
        return rs.wasNull() ? null : value;
    }
}
