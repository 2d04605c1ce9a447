package io.kimi.core.store.sqlite;

import static java.util.Objects.requireNonNull;

import io.kimi.core.CompactionRecord;
import java.sql.ResultSet;
import java.sql.SQLException;
import org.jdbi.v3.core.mapper.RowMapper;
import org.jdbi.v3.core.statement.StatementContext;

/** A {@code compactions} row as a {@link CompactionRecord}; {@code message_hashes} is a JSON array. */
final class CompactionMapper implements RowMapper<CompactionRecord> {
    private final HashListJson json;

    CompactionMapper(HashListJson json) {
        this.json = requireNonNull(json, "json");
    }

    @Override
    public CompactionRecord map(ResultSet rs, StatementContext ctx) throws SQLException {
        String id = rs.getString("compaction_id");
        return new CompactionRecord(
                id,
                rs.getString("session_id"),
                SqliteTime.parse(rs.getString("created_at")),
                json.read(rs.getString("message_hashes"), "compactions.message_hashes of " + id),
                rs.getString("summary"),
                rs.getString("method"),
                rs.getInt("automatic") == 1,
                rs.getInt("tokens_before"),
                rs.getInt("tokens_after"),
                SqliteTime.parse(rs.getString("undone_at")));
    }
}
