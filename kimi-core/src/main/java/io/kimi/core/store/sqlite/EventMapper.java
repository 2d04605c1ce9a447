package io.kimi.core.store.sqlite;

import io.kimi.core.Event;
import java.sql.ResultSet;
import java.sql.SQLException;
import org.jdbi.v3.core.mapper.RowMapper;
import org.jdbi.v3.core.statement.StatementContext;

/** An {@code events} row as an {@link Event}. */
final class EventMapper implements RowMapper<Event> {
    @Override
    public Event map(ResultSet rs, StatementContext ctx) throws SQLException {
        return new Event(
                rs.getString("event_id"),
                rs.getString("session_id"),
                SqliteTime.parse(rs.getString("timestamp")),
                rs.getInt("iteration"),
                rs.getString("state"),
                rs.getString("event_type"),
                rs.getString("data_json"));
    }
}
