package io.kimi.core.store.sqlite;

import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.DefaultStatementBuilder;
import org.jdbi.v3.core.statement.StatementBuilder;
import org.jdbi.v3.core.statement.StatementContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the writer's prepared statements open and reuses them, so that the same few writes, repeated for every
 * proxied request, are not compiled by SQLite again each time (preparing the wide session upsert costs more
 * than running it). Only for the writer's handle, which one thread uses: not thread-safe.
 *
 * <p>A statement is lent to one Jdbi statement at a time; when the same SQL is asked for while its cached
 * statement is still lent out (a nested use), a fresh one is prepared and closed after use. Jdbi hands the
 * statement back through {@link #close(Connection, String, Statement)}: a cached one only has its parameters
 * cleared. At most {@link #MAX_CACHED} distinct statements are kept; the rest are prepared each time.
 */
final class CachedStatements implements StatementBuilder {
    /** More distinct SQL texts than the writer has; a bound on memory should a caller build SQL dynamically. */
    static final int MAX_CACHED = 64;

    private static final Logger log = LoggerFactory.getLogger(CachedStatements.class);

    private final StatementBuilder plain = new DefaultStatementBuilder();
    private final Map<String, PreparedStatement> bySql = new HashMap<>();
    /** Statements used through plain JDBC ({@link Positional}), never lent to Jdbi. */
    private final Map<String, PreparedStatement> plainBySql = new HashMap<>();
    /** Cached statements → whether one is lent out right now. */
    private final Map<Statement, Boolean> lent = new IdentityHashMap<>();

    @Override
    public Statement create(Connection conn, StatementContext ctx) throws SQLException {
        return plain.create(conn, ctx);
    }

    @Override
    public PreparedStatement create(Connection conn, String sql, StatementContext ctx) throws SQLException {
        if (ctx.isReturningGeneratedKeys() || ctx.isConcurrentUpdatable()) {
            return plain.create(conn, sql, ctx);
        }
        PreparedStatement cached = bySql.get(sql);
        if (cached != null && !cached.isClosed()) {
            if (Boolean.TRUE.equals(lent.get(cached))) {
                return plain.create(conn, sql, ctx);
            }
            lent.put(cached, Boolean.TRUE);
            return cached;
        }
        if (cached != null) {
            lent.remove(cached);
            bySql.remove(sql);
        }
        PreparedStatement created = plain.create(conn, sql, ctx);
        if (bySql.size() < MAX_CACHED) {
            bySql.put(sql, created);
            lent.put(created, Boolean.TRUE);
        }
        return created;
    }

    /**
     * The writer's prepared statement for {@code sql}, for plain JDBC use: prepared once and kept, the caller
     * binds every parameter and runs it before asking for another. Only on a handle that uses this builder.
     */
    static PreparedStatement plain(Handle h, String sql) throws SQLException {
        if (!(h.getStatementBuilder() instanceof CachedStatements cached)) {
            throw new IllegalStateException("plain statements need the writer's handle (with CachedStatements)");
        }
        PreparedStatement statement = cached.plainBySql.get(sql);
        if (statement == null || statement.isClosed()) {
            statement = h.getConnection().prepareStatement(sql);
            if (cached.plainBySql.size() < MAX_CACHED) {
                cached.plainBySql.put(sql, statement);
            }
        }
        return statement;
    }

    @Override
    public CallableStatement createCall(Connection conn, String sql, StatementContext ctx) throws SQLException {
        return plain.createCall(conn, sql, ctx);
    }

    @Override
    public void close(Connection conn, String sql, Statement stmt) throws SQLException {
        if (stmt == null) {
            return;
        }
        if (lent.containsKey(stmt) && !stmt.isClosed()) {
            lent.put(stmt, Boolean.FALSE);
            ((PreparedStatement) stmt).clearParameters();
            return;
        }
        stmt.close();
    }

    /** Closes every cached statement; called by Jdbi when the handle closes. */
    @Override
    public void close(Connection conn) {
        for (PreparedStatement statement : bySql.values()) {
            try {
                statement.close();
            } catch (SQLException e) {
                log.warn("Closing a cached statement failed: {}", e.getMessage(), e);
            }
        }
        for (PreparedStatement statement : plainBySql.values()) {
            try {
                statement.close();
            } catch (SQLException e) {
                log.warn("Closing a cached statement failed: {}", e.getMessage(), e);
            }
        }
        bySql.clear();
        plainBySql.clear();
        lent.clear();
    }

    /** How many statements are kept open, Jdbi's and plain ones; for tests. */
    int size() {
        return bySql.size() + plainBySql.size();
    }
}
