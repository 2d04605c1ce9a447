package io.kimi.core.store.sqlite;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;

/**
 * Opens connections to one SQLite file, every one with the same PRAGMAs: {@code journal_mode=WAL},
 * {@code synchronous=NORMAL}, {@code foreign_keys=ON}, {@code busy_timeout=5000}. Readers also get
 * {@code query_only=1}, so a bug can never write around the writer.
 */
final class SqliteConnections {
    static final int BUSY_TIMEOUT_MS = 5000;

    private final Path file;
    private final String url;

    SqliteConnections(Path file) {
        this.file = file;
        this.url = "jdbc:sqlite:" + file;
    }

    Path file() {
        return file;
    }

    static SQLiteConfig config() {
        SQLiteConfig config = new SQLiteConfig();
        config.setJournalMode(SQLiteConfig.JournalMode.WAL);
        config.setSynchronous(SQLiteConfig.SynchronousMode.NORMAL);
        config.enforceForeignKeys(true);
        config.setBusyTimeout(BUSY_TIMEOUT_MS);
        return config;
    }

    /** The one write connection. */
    Connection openWriter() throws SQLException {
        return config().createConnection(url);
    }

    /** A small pool of read-only connections; open the writer first, so the file is already in WAL mode. */
    HikariDataSource openReaders(int size) {
        SQLiteDataSource source = new SQLiteDataSource(config());
        source.setUrl(url);
        HikariConfig hikari = new HikariConfig();
        hikari.setDataSource(source);
        hikari.setPoolName("kimi-store-readers");
        hikari.setMaximumPoolSize(size);
        hikari.setMinimumIdle(1);
        hikari.setConnectionInitSql("PRAGMA query_only = 1");
        return new HikariDataSource(hikari);
    }
}
