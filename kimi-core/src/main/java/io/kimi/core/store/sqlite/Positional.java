package io.kimi.core.store.sqlite;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import org.jdbi.v3.core.Handle;

/**
 * Binds the parameters of one of the writer's cached plain JDBC statements in order, then runs it: for the writes
 * made for every proxied request, which through Jdbi cost about 7 KB of short-lived objects and most of their
 * Java time each (statement context, argument resolution, binding maps; {@code benchmarks/NOTES.md}). Writer
 * thread only, one statement at a time: bind every parameter, then {@link #execute()}.
 */
final class Positional {
    private final PreparedStatement statement;
    private final String sql;
    private int index;

    private Positional(PreparedStatement statement, String sql) {
        this.statement = statement;
        this.sql = sql;
    }

    /** The handle's cached statement for {@code sql} (see {@link CachedStatements#plain}), ready to bind. */
    static Positional of(Handle h, String sql) {
        try {
            return new Positional(CachedStatements.plain(h, sql), sql);
        } catch (SQLException e) {
            throw new WriteFailedException(e.getMessage(), e);
        }
    }

    Positional text(String value) {
        try {
            if (value == null) {
                statement.setNull(++index, Types.VARCHAR);
            } else {
                statement.setString(++index, value);
            }
            return this;
        } catch (SQLException e) {
            throw failed(e);
        }
    }

    Positional integer(long value) {
        try {
            statement.setLong(++index, value);
            return this;
        } catch (SQLException e) {
            throw failed(e);
        }
    }

    /** An integer, or SQL {@code NULL} when {@code present} is false. */
    Positional integerOrNull(boolean present, long value) {
        try {
            if (present) {
                statement.setLong(++index, value);
            } else {
                statement.setNull(++index, Types.INTEGER);
            }
            return this;
        } catch (SQLException e) {
            throw failed(e);
        }
    }

    Positional real(double value) {
        try {
            statement.setDouble(++index, value);
            return this;
        } catch (SQLException e) {
            throw failed(e);
        }
    }

    /** Runs the statement; returns how many rows it changed. */
    int execute() {
        try {
            return statement.executeUpdate();
        } catch (SQLException e) {
            throw failed(e);
        }
    }

    private WriteFailedException failed(SQLException e) {
        return new WriteFailedException(e.getMessage() + " (in: " + sql + ")", e);
    }
}
