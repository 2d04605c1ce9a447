package io.kimi.core.store.sqlite;

import static java.util.Objects.requireNonNull;

import com.zaxxer.hikari.HikariDataSource;
import io.kimi.core.store.StoreException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens a {@link SqliteStore}: creates the file's directories, migrates the schema, turns the pending requests a
 * killed process left into interrupted ones, opens (and so empties) the intent journal, then opens the read pool
 * and starts the writer.
 */
final class StoreOpener {
    private static final Logger log = LoggerFactory.getLogger(SqliteStore.class);
    private static final int READ_POOL_SIZE = 4;
    private static final String WRITER_THREAD = "kimi-store-writer";

    private StoreOpener() {
    }

    /**
     * Opens (creating it and its parent directories when missing) the database file and migrates it to the
     * newest schema.
     *
     * @param file the SQLite file, e.g. {@code ./dashboard.db}
     * @param clock stamps applied migrations
     * @throws StoreException when the file cannot be opened or migrated, or its schema is newer than this code
     */
    static SqliteStore open(Path file, Clock clock) {
        requireNonNull(file, "file");
        requireNonNull(clock, "clock");
        Path path = file.toAbsolutePath().normalize();
        String storeName = path.toString();
        createParentDirectories(path);
        SqliteConnections connections = new SqliteConnections(path);
        Connection connection;
        try {
            connection = connections.openWriter();
        } catch (SQLException e) {
            throw new StoreException("cannot open database " + storeName + ": " + e.getMessage(), e);
        }
        // Closing the handle closes the connection (ConnectionFactory's default closeConnection).
        Handle handle = Jdbi.open(() -> connection);
        HikariDataSource pool = null;
        IntentJournal journal = null;
        int interrupted;
        try {
            new Migrations(Migrations.ALL, clock).migrate(handle, storeName);
            // After the migrations: their DDL runs once and need not stay prepared. The recovery already
            // writes with the writer's statements.
            handle.setStatementBuilder(new CachedStatements());
            interrupted = recoverPending(handle, path, storeName);
            // Only now, with the intents it held stored: opening empties the journal.
            journal = IntentJournal.open(path);
            pool = connections.openReaders(READ_POOL_SIZE);
        } catch (RuntimeException e) {
            if (journal != null) {
                journal.close();
            }
            closeQuietly(handle, pool, storeName, e);
            throw e instanceof StoreException se
                    ? se
                    : new StoreException("cannot open database " + storeName + ": " + e.getMessage(), e);
        }
        BatchWriter writer = new BatchWriter(handle, storeName, WRITER_THREAD);
        writer.start();
        log.debug("Opened store {}", storeName);
        return new SqliteStore(storeName, writer, journal, pool, interrupted);
    }

    /**
     * Pending requests of a process that stopped without finishing them (in the intent journal, or in the
     * {@code pending_requests} table of an older version) become interrupted requests.
     */
    private static int recoverPending(Handle handle, Path path, String storeName) {
        IntentJournal.Contents journal = IntentJournal.read(path);
        if (journal.unreadableLines() > 0) {
            log.warn("Skipped {} unreadable line(s) of the intent journal of {} (the torn tail of a write cut by a"
                    + " crash, or damaged bytes)", journal.unreadableLines(), storeName);
        }
        int interrupted;
        try {
            interrupted = handle.inTransaction(h -> new PendingRecovery().interruptAll(h, journal.intents()));
        } catch (RuntimeException e) {
            throw new StoreException("cannot store the pending requests of " + storeName + " as interrupted: "
                    + e.getMessage(), e);
        }
        if (interrupted > 0) {
            log.warn("{} request(s) had been sent upstream when the previous process stopped without finishing"
                    + " them; stored as interrupted in {}", interrupted, storeName);
        }
        return interrupted;
    }

    private static void createParentDirectories(Path path) {
        Path parent = path.getParent();
        if (parent == null) {
            return;
        }
        try {
            Files.createDirectories(parent);
        } catch (IOException e) {
            throw new StoreException("cannot create directory " + parent + " for database " + path + ": " + e, e);
        }
    }

    private static void closeQuietly(Handle handle, HikariDataSource pool, String storeName, Exception cause) {
        try {
            handle.close();
            if (pool != null) {
                pool.close();
            }
        } catch (RuntimeException e) {
            cause.addSuppressed(e);
            log.warn("Closing {} after a failed open also failed", storeName, e);
        }
    }
}
