package io.kimi.core.store.sqlite;

import io.kimi.core.PendingRequest;
import io.kimi.core.store.StoreException;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The trace a proxied request leaves before it goes upstream: an append-only journal of intents beside the
 * database ({@code <db>.intents.0} and {@code <db>.intents.1}), so that a call the provider may bill is never
 * lost to a crash, without a SQLite commit (and two thread hand-offs) on the request's path.
 *
 * <p><b>Who writes.</b> The calling thread (an event loop), with one {@code write()} of one pre-encoded line
 * ({@link IntentLine}) on a {@link FileOutputStream}; no fsync. A {@code write()} that returned is in the page
 * cache, which a {@code kill -9} of this process does not touch: the same promise as SQLite's WAL with
 * {@code synchronous=NORMAL}, which the store uses. A power loss or kernel crash may lose the last intents, as it
 * may lose the last commits today. Lines of concurrent callers never interleave: appends (and the rotation) hold
 * this object's monitor for the one {@code write()}. That costs nothing a lock-free {@code O_APPEND} write through
 * a {@code FileChannel} would save: the JDK's channel serializes its writes on a lock of its own too, and a channel
 * is closed for every caller when one writing thread is interrupted, which a stream is not. A {@code write()} to
 * the page cache takes microseconds and does not wait for the disk (the kernel may throttle a writer when dirty
 * pages pile up, as it would SQLite's).
 *
 * <p><b>Bounded.</b> The intents not settled yet (their finished record not committed: {@link #settled}) are
 * also kept in memory, at most {@code maxOutstanding} of them (65,536 by default, a few hundred bytes each); past
 * that, {@link #append} refuses. Appends go to the active segment; once {@code segmentBytes} (1 MiB by default)
 * of new lines went into it, the other segment is truncated, the unsettled intents are copied into it in one
 * write, and it becomes the active one. Truncating it is safe: everything it held is either settled or was copied
 * into the segment being left when that one became active. So a segment never holds more than the copies of
 * unsettled intents (at most {@code maxOutstanding} lines) plus {@code segmentBytes} and one line; a failed
 * rotation is logged and tried again on the next append (the active segment then grows until it succeeds).
 *
 * <p><b>Recovery.</b> {@link #read} (at open, before the writer starts) returns every intact line of both
 * segments; an unreadable one (the torn tail of a write cut by a crash, or damaged bytes) is skipped and counted,
 * never fatal. The caller stores the intents without a finished record as {@code interrupted} requests
 * ({@link PendingRecovery}), commits, and only then {@link #open opens} the journal, which empties both segments:
 * a crash in between finds the same intents again, and those now stored are skipped.
 *
 * <p><b>Failure.</b> A failed or short write throws a {@link StoreException} naming the file and the I/O error
 * (no request content); the caller sends the request anyway and counts it as untraced. After a short write the
 * next line starts with a newline, so the cut line cannot swallow it.
 */
final class IntentJournal implements AutoCloseable {
    static final long DEFAULT_SEGMENT_BYTES = 1L << 20;
    static final int DEFAULT_MAX_OUTSTANDING = 65_536;
    private static final byte[] NEWLINE = {'\n'};
    private static final Logger log = LoggerFactory.getLogger(IntentJournal.class);

    /** What {@link #read} found. */
    record Contents(List<PendingRequest> intents, int unreadableLines) {
    }

    private final Path[] paths;
    /** Guarded by this: each written only under the monitor, so every write lands at its end. */
    private final FileOutputStream[] segments;
    private final long segmentBytes;
    private final int maxOutstanding;
    private final Map<String, byte[]> outstanding = new ConcurrentHashMap<>();
    private final AtomicLong rotations = new AtomicLong();
    /** Guarded by this. */
    private int active;
    /** Guarded by this: the active segment's size at which it is swapped. */
    private long rotateAt;
    /** Guarded by this: bytes in the active segment. */
    private long activeBytes;
    /** Guarded by this: the last write was short, so the next line must start on a line of its own. */
    private boolean cut;
    /** Guarded by this. */
    private boolean closed;

    private IntentJournal(Path[] paths, FileOutputStream[] segments, long segmentBytes, int maxOutstanding) {
        this.paths = paths;
        this.segments = segments;
        this.segmentBytes = segmentBytes;
        this.maxOutstanding = maxOutstanding;
        this.rotateAt = segmentBytes;
    }

    /** The two segment files of the journal of database {@code db}. */
    static Path[] segmentsOf(Path db) {
        return new Path[] {db.resolveSibling(db.getFileName() + ".intents.0"),
            db.resolveSibling(db.getFileName() + ".intents.1")};
    }

    /** Every intact intent in the journal of {@code db} (both segments; an intent may appear twice). */
    static Contents read(Path db) {
        List<PendingRequest> intents = new ArrayList<>();
        int unreadable = 0;
        for (Path segment : segmentsOf(db)) {
            if (!Files.exists(segment)) {
                continue;
            }
            if (!Files.isRegularFile(segment)) {
                // A device or a pipe put there by hand: reading it might never end. Nothing of ours is in it.
                log.warn("The intent journal segment {} is not a regular file; it is not read", segment);
                continue;
            }
            byte[] bytes;
            try {
                bytes = Files.readAllBytes(segment);
            } catch (NoSuchFileException e) {
                continue;
            } catch (IOException e) {
                throw new StoreException("cannot read the intent journal " + segment + ": " + e, e);
            }
            int from = 0;
            while (from < bytes.length) {
                int to = indexOf(bytes, from);
                if (to < 0) {
                    unreadable++; // a torn tail: the crash cut its write
                    break;
                }
                if (to > from) {
                    var intent = IntentLine.decode(bytes, from, to);
                    if (intent.isPresent()) {
                        intents.add(intent.get());
                    } else {
                        unreadable++;
                    }
                }
                from = to + 1;
            }
        }
        return new Contents(intents, unreadable);
    }

    /** Opens the journal of {@code db}, emptying both segments (call once their intents are recovered). */
    static IntentJournal open(Path db) {
        return open(db, DEFAULT_SEGMENT_BYTES, DEFAULT_MAX_OUTSTANDING);
    }

    static IntentJournal open(Path db, long segmentBytes, int maxOutstanding) {
        if (segmentBytes < 1 || maxOutstanding < 1) {
            throw new IllegalArgumentException("segmentBytes and maxOutstanding must be positive");
        }
        Path[] paths = segmentsOf(db);
        FileOutputStream[] streams = new FileOutputStream[2];
        try {
            for (int i = 0; i < 2; i++) {
                streams[i] = new FileOutputStream(paths[i].toFile(), false);
            }
        } catch (IOException e) {
            for (FileOutputStream stream : streams) {
                closeQuietly(stream, e);
            }
            throw new StoreException("cannot open the intent journal " + paths[0] + ": " + e, e);
        }
        return new IntentJournal(paths, streams, segmentBytes, maxOutstanding);
    }

    /**
     * Appends the intent with one {@code write()}; returns once it is in the page cache.
     *
     * @throws StoreException when it could not be written (whole), too many intents are unsettled, or the
     *     journal is closed
     */
    void append(PendingRequest pending) {
        byte[] line = IntentLine.encode(pending);
        synchronized (this) {
            if (closed) {
                throw new StoreException("the intent journal " + paths[active] + " is closed");
            }
            if (outstanding.size() >= maxOutstanding) {
                throw new StoreException("the intent journal holds " + maxOutstanding
                        + " unsettled intents (their finished records were not committed)");
            }
            byte[] bytes = cut ? concat(NEWLINE, line) : line;
            try {
                segments[active].write(bytes);
            } catch (IOException e) {
                // Part of the line may be written (a disk that filled up): the next one starts on a new line.
                cut = true;
                activeBytes += bytes.length;
                throw new StoreException("cannot append to the intent journal " + paths[active] + ": " + e, e);
            }
            cut = false;
            activeBytes += bytes.length;
            outstanding.put(pending.requestId(), line);
            if (activeBytes >= rotateAt) {
                rotate();
            }
        }
    }

    /** The request's finished record is committed: its intent need not survive a rotation. Any thread. */
    void settled(String requestId) {
        outstanding.remove(requestId);
    }

    /** Intents appended and not settled. */
    int outstanding() {
        return outstanding.size();
    }

    /** How many times the active segment was swapped. */
    long rotations() {
        return rotations.get();
    }

    /** Closes the segments; empties them first when no intent is unsettled. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        boolean empty = outstanding.isEmpty();
        for (int i = 0; i < 2; i++) {
            try {
                segments[i].close();
                if (empty) {
                    new FileOutputStream(paths[i].toFile(), false).close();
                }
            } catch (IOException e) {
                log.warn("Closing the intent journal segment {} failed: {}", paths[i], e.toString());
            }
        }
    }

    /** Guarded by this. */
    private void rotate() {
        int next = 1 - active;
        List<byte[]> lines = new ArrayList<>(outstanding.values());
        int size = 0;
        for (byte[] line : lines) {
            size += line.length;
        }
        byte[] copy = new byte[size];
        int at = 0;
        for (byte[] line : lines) {
            System.arraycopy(line, 0, copy, at, line.length);
            at += line.length;
        }
        try {
            segments[next].close();
            // Opening without append truncates; from here on, only this monitor writes to it, at its end.
            segments[next] = new FileOutputStream(paths[next].toFile(), false);
            segments[next].write(copy);
        } catch (IOException e) {
            log.warn("Rotating the intent journal to {} failed; {} keeps growing until a rotation succeeds: {}",
                    paths[next], paths[active], e.toString());
            return;
        }
        active = next;
        activeBytes = size;
        // Copies of many unsettled intents may fill much of a segment: it still takes segmentBytes of new lines.
        rotateAt = size + segmentBytes;
        rotations.incrementAndGet();
    }

    private static int indexOf(byte[] bytes, int from) {
        for (int i = from; i < bytes.length; i++) {
            if (bytes[i] == '\n') {
                return i;
            }
        }
        return -1;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] both = new byte[a.length + b.length];
        System.arraycopy(a, 0, both, 0, a.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        return both;
    }

    private static void closeQuietly(FileOutputStream stream, Exception cause) {
        if (stream == null) {
            return;
        }
        try {
            stream.close();
        } catch (IOException e) {
            cause.addSuppressed(e);
        }
    }
}
