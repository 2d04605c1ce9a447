package io.kimi.core.store.sqlite;

import static java.util.Objects.requireNonNull;

import io.kimi.core.store.StoreException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import org.jdbi.v3.core.Handle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings a database to the newest schema: each migration newer than the recorded version runs once, in its own
 * transaction, and records itself in {@code schema_version(version, applied_at)}.
 */
final class Migrations {
    /** Every migration, oldest first. Append new ones; never edit a released one. */
    static final List<Migration> ALL = List.of(
            new Migration(1, "/io/kimi/core/store/sqlite/V1__init.sql"),
            new Migration(2, "/io/kimi/core/store/sqlite/V2__metrics_indexes.sql"),
            new Migration(3, "/io/kimi/core/store/sqlite/V3__convergence_aggregates.sql"),
            new Migration(4, "/io/kimi/core/store/sqlite/V4__context_features.sql"),
            new Migration(5, "/io/kimi/core/store/sqlite/V5__pending_requests.sql"),
            new Migration(6, "/io/kimi/core/store/sqlite/V6__reply_accounting.sql"),
            new Migration(7, "/io/kimi/core/store/sqlite/V7__lean_request_writes.sql"));

    private static final Logger log = LoggerFactory.getLogger(Migrations.class);

    private final List<Migration> migrations;
    private final Clock clock;

    Migrations(List<Migration> migrations, Clock clock) {
        this.migrations = List.copyOf(requireNonNull(migrations, "migrations"));
        this.clock = requireNonNull(clock, "clock");
        for (int i = 0; i < this.migrations.size(); i++) {
            if (this.migrations.get(i).version() != i + 1) {
                throw new IllegalArgumentException("migrations: version " + this.migrations.get(i).version()
                        + " at position " + i + " (expected: versions 1, 2, ... in order)");
            }
        }
    }

    int latestVersion() {
        return migrations.size();
    }

    /**
     * Applies the missing migrations.
     *
     * @param storeName names the database in messages
     * @return how many were applied
     * @throws StoreException when the database is newer than this code, or a script fails
     */
    int migrate(Handle handle, String storeName) {
        handle.execute("CREATE TABLE IF NOT EXISTS schema_version ("
                + "version INTEGER NOT NULL PRIMARY KEY, applied_at TEXT NOT NULL)");
        int current = currentVersion(handle);
        if (current > latestVersion()) {
            throw new StoreException("database " + storeName + " has schema version " + current
                    + ", newer than this version of Kimi Dashboard knows (" + latestVersion() + ")");
        }
        int applied = 0;
        for (Migration migration : migrations) {
            if (migration.version() > current) {
                apply(handle, migration, storeName);
                applied++;
            }
        }
        if (applied > 0) {
            log.info("Migrated {} from schema version {} to {}", storeName, current, latestVersion());
        }
        return applied;
    }

    static int currentVersion(Handle handle) {
        return handle.createQuery("SELECT COALESCE(MAX(version), 0) FROM schema_version").mapTo(Integer.class).one();
    }

    private void apply(Handle handle, Migration migration, String storeName) {
        String script = load(migration);
        try {
            handle.useTransaction(h -> {
                // Re-read inside the transaction: another process may have migrated meanwhile.
                if (currentVersion(h) >= migration.version()) {
                    return;
                }
                h.createScript(script).executeAsSeparateStatements();
                h.createUpdate("INSERT INTO schema_version (version, applied_at) VALUES (:version, :at)")
                        .bind("version", migration.version())
                        .bind("at", SqliteTime.format(clock.instant()))
                        .execute();
            });
        } catch (RuntimeException e) {
            throw new StoreException("migration " + migration.resource() + " failed on " + storeName + ": "
                    + e.getMessage(), e);
        }
    }

    private static String load(Migration migration) {
        try (InputStream in = Migrations.class.getResourceAsStream(migration.resource())) {
            if (in == null) {
                throw new StoreException("migration script not found on the class path: " + migration.resource());
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new StoreException("cannot read migration script " + migration.resource(), e);
        }
    }
}
