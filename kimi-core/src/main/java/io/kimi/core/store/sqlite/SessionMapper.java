package io.kimi.core.store.sqlite;

import io.kimi.core.ConvergenceTotals;
import io.kimi.core.Session;
import io.kimi.core.SessionKind;
import io.kimi.core.SessionStatus;
import io.kimi.core.SessionTotals;
import java.sql.ResultSet;
import java.sql.SQLException;
import org.jdbi.v3.core.mapper.RowMapper;
import org.jdbi.v3.core.statement.StatementContext;

/** A {@code sessions} row as a {@link Session}. */
final class SessionMapper implements RowMapper<Session> {
    @Override
    public Session map(ResultSet rs, StatementContext ctx) throws SQLException {
        SessionTotals totals = new SessionTotals(
                rs.getLong("requests"),
                rs.getLong("failed_requests"),
                rs.getLong("prompt_tokens"),
                rs.getLong("completion_tokens"),
                rs.getLong("cached_tokens"),
                rs.getLong("estimated_prompt_tokens"),
                rs.getLong("context_tokens"),
                rs.getDouble("cost_usd"));
        return new Session(
                rs.getString("session_id"),
                SessionKind.fromWire(rs.getString("kind")),
                rs.getString("name"),
                rs.getString("target"),
                SessionStatus.fromWire(rs.getString("status")),
                SqliteTime.parse(rs.getString("start_time")),
                SqliteTime.parse(rs.getString("end_time")),
                rs.getString("current_state"),
                rs.getInt("current_iteration"),
                rs.getString("config_json"),
                rs.getString("provider"),
                rs.getString("model"),
                rs.getInt("context_window"),
                totals,
                rs.getInt("active") == 1,
                new ConvergenceTotals(
                        rs.getLong("total_findings"),
                        rs.getLong("total_fixes"),
                        rs.getLong("total_vulnerabilities"),
                        rs.getLong("tests_passed"),
                        rs.getLong("tests_failed")));
    }
}
