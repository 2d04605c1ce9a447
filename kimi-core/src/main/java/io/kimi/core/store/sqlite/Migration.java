package io.kimi.core.store.sqlite;

import static java.util.Objects.requireNonNull;

/**
 * One schema migration: a SQL script on the class path, applied once.
 *
 * @param version the schema version it brings the database to (1, 2, ...)
 * @param resource the script's class-path resource, e.g. {@code /io/kimi/core/store/sqlite/V1__init.sql}
 */
record Migration(int version, String resource) {
    Migration {
        if (version < 1) {
            throw new IllegalArgumentException("version: " + version + " (expected: >= 1)");
        }
        requireNonNull(resource, "resource");
    }
}
