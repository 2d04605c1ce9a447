package io.kimi.features.logs;

import static java.util.Objects.requireNonNull;

import io.kimi.config.LogSourceConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.time.Instant;
import java.util.Objects;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tails one log file for the {@link LogWatcher}: reads what was appended since the last poll and hands
 * complete lines to the source's parser. Called by one thread at a time.
 *
 * <ul>
 *   <li>Start: from the end of the file ({@code from_start = false}: only lines written after start count,
 *       and a line cut by that position is skipped) or from its beginning. A file that does not exist yet is
 *       read from its beginning once it appears.</li>
 *   <li>Rotation: when the path names another file (its file key changed: renamed away and recreated, or
 *       replaced), the rest of the old file is read through the still-open channel, its last unterminated
 *       line counts as complete, and the new file is read from its beginning. A path that disappears is read
 *       to its end the same way, then waited for.</li>
 *   <li>Truncation: a file smaller than the position read so far was truncated (copy-truncate rotation, or
 *       emptied): reading restarts at 0 and a pending partial line is dropped. (A file truncated and
 *       refilled past the old position between two polls cannot be told from one that grew.)</li>
 *   <li>Partial lines wait for their end; lines over {@value #MAX_LINE_BYTES} bytes are dropped and counted;
 *       at most {@value #MAX_BYTES_PER_POLL} bytes are read per poll (the rest at the next).</li>
 * </ul>
 * An open channel keeps a renamed file readable on POSIX systems; on Windows it may delay its rotation.
 */
final class SourceTailer {

    private static final Logger LOG = LoggerFactory.getLogger(SourceTailer.class);

    static final int MAX_LINE_BYTES = 64 * 1024;
    static final int MAX_BYTES_PER_POLL = 8 << 20;
    private static final int BUFFER_BYTES = 64 * 1024;

    private final LogSourceConfig config;
    private final LogParser parser;
    private final Clock clock;
    private final LogListener listener;
    private final LineSplitter splitter = new LineSplitter(MAX_LINE_BYTES);
    private final ByteBuffer buffer = ByteBuffer.allocate(BUFFER_BYTES);
    private final LogParser.Sink sink = new Sink();
    private final Consumer<String> lines;

    private FileChannel channel;
    private Object fileKey;
    private long position;
    private boolean looked;
    private boolean pendingEntry;
    private String loggedError;

    private volatile String state = LogSourceStatus.WAITING;
    private volatile long reportedPosition;
    private volatile long findings;
    private volatile Instant lastFindingAt;
    private volatile String lastError;
    private volatile long malformed;
    private volatile long dropped;

    /**
     * @param parser the source's parser, or {@code null} when its format is unknown (the source then stays in
     *     state {@code error})
     */
    SourceTailer(LogSourceConfig config, LogParser parser, Clock clock, LogListener listener) {
        this.config = requireNonNull(config, "config");
        this.parser = parser;
        this.clock = requireNonNull(clock, "clock");
        this.listener = requireNonNull(listener, "listener");
        this.lines = line -> parser.line(line, sink);
        if (parser == null) {
            state = LogSourceStatus.ERROR;
            lastError = "unknown format '" + config.format() + "' (expected: continue, kimi_cli)";
        }
    }

    /**
     * Reads what is new; never throws for I/O problems (they set state {@code error} until they go away; the
     * same file is then read on from where it was, so nothing is reported twice).
     */
    void poll() {
        if (parser == null) {
            return;
        }
        try {
            boolean read = pollFile();
            if (!read && pendingEntry) {
                parser.flush(sink); // one quiet poll: a pending multi-line entry is complete
                pendingEntry = false;
            }
            if (loggedError != null) {
                LOG.info("Log source '{}' readable again: {}", config.name(), config.path());
                loggedError = null;
            }
            lastError = null;
        } catch (IOException | UncheckedIOException e) {
            closeChannel();
            state = LogSourceStatus.ERROR;
            lastError = e.toString();
            if (!e.toString().equals(loggedError)) {
                LOG.warn("Cannot read log source '{}' ({})", config.name(), config.path(), e);
                loggedError = e.toString();
            }
        }
    }

    /** Whether any byte was read. */
    private boolean pollFile() throws IOException {
        Path path = config.path();
        BasicFileAttributes attributes;
        try {
            attributes = Files.readAttributes(path, BasicFileAttributes.class);
        } catch (NoSuchFileException e) {
            boolean read = false;
            if (channel != null) {
                read = drainOldFile(); // renamed or deleted: finish the old file, then wait for a new one
            }
            fileKey = null;
            looked = true;
            state = LogSourceStatus.WAITING;
            position = 0;
            reportedPosition = 0;
            return read;
        }
        Object key = attributes.fileKey() != null ? attributes.fileKey() : attributes.creationTime();
        boolean read = false;
        if (channel != null && !Objects.equals(key, fileKey)) {
            read = drainOldFile();
        }
        if (channel == null) {
            if (key.equals(fileKey)) {
                resume(path); // the same file after a read error: go on where we were
            } else {
                open(path, key, looked || config.fromStart() ? 0 : -1);
            }
        }
        looked = true;
        long size = channel.size();
        if (size < position) {
            LOG.info("Log source '{}' was truncated ({} < {} bytes); reading from the start", config.name(), size,
                    position);
            position = 0;
            splitter.reset();
            parser.flush(sink);
            pendingEntry = false;
        }
        read |= readUpTo(Math.min(size, position + MAX_BYTES_PER_POLL));
        state = LogSourceStatus.TAILING;
        reportedPosition = position;
        return read;
    }

    /**
     * Opens the file.
     *
     * @param start 0, or -1 for its end
     */
    private void open(Path path, Object key, long start) throws IOException {
        channel = FileChannel.open(path, StandardOpenOption.READ);
        fileKey = key;
        splitter.reset();
        if (start < 0) {
            position = channel.size();
            if (position > 0 && !endsWithNewline(position)) {
                splitter.skipToNextLine();
            }
        } else {
            position = 0;
        }
        LOG.debug("Tailing log source '{}' ({}) from byte {}", config.name(), path, position);
    }

    private void resume(Path path) throws IOException {
        channel = FileChannel.open(path, StandardOpenOption.READ);
        LOG.debug("Tailing log source '{}' ({}) again from byte {}", config.name(), path, position);
    }

    private boolean endsWithNewline(long size) throws IOException {
        ByteBuffer last = ByteBuffer.allocate(1);
        return channel.read(last, size - 1) == 1 && last.get(0) == '\n';
    }

    /** Reads the old file to its end, completes its last line and entry, and closes it. */
    private boolean drainOldFile() throws IOException {
        boolean read;
        try {
            read = readUpTo(channel.size());
        } finally {
            splitter.finish(lines);
            parser.flush(sink);
            pendingEntry = false;
            closeChannel();
            fileKey = null;
        }
        LOG.info("Log source '{}' rotated: {}", config.name(), config.path());
        return read;
    }

    private boolean readUpTo(long end) throws IOException {
        boolean read = false;
        while (position < end) {
            buffer.clear();
            buffer.limit((int) Math.min(buffer.capacity(), end - position));
            int n = channel.read(buffer, position);
            if (n <= 0) {
                break;
            }
            position += n;
            read = true;
            splitter.feed(buffer.array(), 0, n, lines);
            pendingEntry = true;
        }
        dropped = splitter.droppedLines();
        return read;
    }

    void close() {
        closeChannel();
    }

    private void closeChannel() {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException e) {
                LOG.debug("Closing log source '{}'", config.name(), e);
            }
            channel = null;
        }
    }

    LogSourceStatus status(boolean enabled) {
        return new LogSourceStatus(config.name(), config.path(), config.format(),
                enabled || parser == null ? state : LogSourceStatus.DISABLED, reportedPosition, findings,
                lastFindingAt, lastError, malformed + dropped);
    }

    /** Completes the parser's findings with the source's name and session and delivers them. */
    private final class Sink implements LogParser.Sink {
        @Override
        public void found(LogFinding.Kind kind, Instant timestamp, String model, int promptTokens,
                int completionTokens, String message) {
            Instant now = clock.instant();
            LogFinding finding = new LogFinding(config.name(), kind, timestamp != null ? timestamp : now, model,
                    promptTokens, completionTokens, message, config.sessionId());
            findings++;
            lastFindingAt = now;
            try {
                listener.onFinding(finding);
            } catch (RuntimeException e) {
                LOG.warn("Log listener failed on {} from '{}'", kind, config.name(), e);
            }
        }

        @Override
        public void malformed(String reason) {
            malformed++;
            LOG.debug("Log source '{}': skipped {}", config.name(), reason);
        }
    }
}
