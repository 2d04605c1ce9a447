package io.kimi.core.store.sqlite;

import io.kimi.core.MaskedContent;
import java.sql.ResultSet;
import java.sql.SQLException;
import org.jdbi.v3.core.mapper.RowMapper;
import org.jdbi.v3.core.statement.StatementContext;

/** A {@code masks} row as {@link MaskedContent}. */
final class MaskMapper implements RowMapper<MaskedContent> {
    @Override
    public MaskedContent map(ResultSet rs, StatementContext ctx) throws SQLException {
        return new MaskedContent(
                rs.getString("hash"),
                rs.getString("session_id"),
                rs.getString("request_id"),
                rs.getString("role"),
                rs.getString("tool_name"),
                rs.getInt("original_tokens"),
                rs.getInt("placeholder_tokens"),
                rs.getString("content"),
                SqliteTime.parse(rs.getString("created_at")));
    }
}
