package io.kimi.core.store.sqlite;

import io.kimi.core.RequestRecord;
import io.kimi.core.RequestStatus;
import io.kimi.core.TokenUsage;
import java.sql.ResultSet;
import java.sql.SQLException;
import org.jdbi.v3.core.mapper.RowMapper;
import org.jdbi.v3.core.statement.StatementContext;

/**
 * A {@code requests} row as a {@link RequestRecord}; {@code reported} is {@code null} when its columns are; an
 * {@code est_completion} below 0 is a completion that was not counted locally.
 */
final class RequestMapper implements RowMapper<RequestRecord> {
    @Override
    public RequestRecord map(ResultSet rs, StatementContext ctx) throws SQLException {
        int estCompletion = rs.getInt("est_completion");
        boolean completionEstimated = estCompletion >= 0;
        TokenUsage estimated = new TokenUsage(
                rs.getInt("est_prompt"), Math.max(estCompletion, 0), rs.getInt("est_cached"));
        int repPrompt = rs.getInt("rep_prompt");
        TokenUsage reported = rs.wasNull()
                ? null
                : new TokenUsage(repPrompt, rs.getInt("rep_completion"), rs.getInt("rep_cached"));
        return new RequestRecord(
                rs.getString("request_id"),
                rs.getString("session_id"),
                SqliteTime.parse(rs.getString("timestamp")),
                rs.getString("provider"),
                rs.getString("model"),
                rs.getString("upstream_model"),
                rs.getInt("stream") == 1,
                RequestStatus.fromWire(rs.getString("status")),
                rs.getInt("http_status"),
                rs.getString("error_type"),
                rs.getString("error_message"),
                estimated,
                reported,
                rs.getDouble("cost_usd"),
                rs.getLong("latency_ms"),
                rs.getLong("ttft_ms"),
                rs.getString("source"),
                rs.getLong("estimated_reply_bytes"),
                rs.getString("accounting_error"),
                completionEstimated);
    }
}
