package io.kimi.core.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kimi.core.PendingRequest;
import io.kimi.core.store.StoreException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The intent journal on real files: what is appended is read back, torn or damaged lines are skipped, it is bounded. */
class IntentJournalTest {
    /** A guard against deadlocks, not a timing assertion. */
    private static final long GUARD_SECONDS = 60;
    private static final Instant T0 = Instant.parse("2024-05-01T12:00:00.123456789Z");

    @TempDir
    Path dir;

    private IntentJournal journal;

    @AfterEach
    void close() {
        if (journal != null) {
            journal.close();
        }
    }

    @Test
    void everyFieldIsReadBackExactlyEvenWithSeparatorsAndNonAsciiText() {
        Path db = dir.resolve("dashboard.db");
        journal = IntentJournal.open(db);
        PendingRequest plain = pending("r-1");
        PendingRequest odd = new PendingRequest("r\t2\nwith\\escapes\r", "séssion-☃", T0.plusNanos(1), "prov\\t",
                "kimi-k2", "kimi-k2-0905", false, 0, "proxy");

        journal.append(plain);
        journal.append(odd);

        IntentJournal.Contents contents = IntentJournal.read(db);
        assertThat(contents.intents()).containsExactly(plain, odd);
        assertThat(contents.unreadableLines()).isZero();
        assertThat(journal.outstanding()).isEqualTo(2);
    }

    @Test
    void aTornTailAndADamagedLineAreSkippedAndCountedAndTheIntactLinesKept() throws Exception {
        Path db = dir.resolve("dashboard.db");
        journal = IntentJournal.open(db);
        journal.append(pending("r-1"));
        journal.append(pending("r-2"));
        journal.append(pending("r-3"));
        journal.close();
        Path segment = IntentJournal.segmentsOf(db)[0];
        byte[] bytes = Files.readAllBytes(segment);
        // damage one byte of the second line (its checksum no longer matches)
        int second = indexOf(bytes, (byte) '\n', 0) + 1;
        bytes[second + 5] ^= 0x01;
        Files.write(segment, bytes);
        // and a write a crash cut: half of a line, no newline
        byte[] line = IntentLine.encode(pending("r-4"));
        Files.write(segment, Arrays.copyOf(line, line.length / 2), StandardOpenOption.APPEND);

        IntentJournal.Contents contents = IntentJournal.read(db);

        assertThat(contents.intents()).extracting(PendingRequest::requestId).containsExactly("r-1", "r-3");
        assertThat(contents.unreadableLines()).isEqualTo(2);
    }

    @Test
    void aLineAfterACutWriteIsStillRead() throws Exception {
        Path db = dir.resolve("dashboard.db");
        Path segment = IntentJournal.segmentsOf(db)[0];
        byte[] line = IntentLine.encode(pending("r-1"));
        Files.write(segment, Arrays.copyOf(line, 20));
        Files.write(segment, "\n".getBytes(StandardCharsets.US_ASCII), StandardOpenOption.APPEND);
        Files.write(segment, IntentLine.encode(pending("r-2")), StandardOpenOption.APPEND);

        IntentJournal.Contents contents = IntentJournal.read(db);

        assertThat(contents.intents()).extracting(PendingRequest::requestId).containsExactly("r-2");
        assertThat(contents.unreadableLines()).isEqualTo(1);
    }

    @Test
    void openingEmptiesBothSegmentsAndAJournalThatWasNeverWrittenReadsEmpty() throws Exception {
        Path db = dir.resolve("dashboard.db");
        assertThat(IntentJournal.read(db).intents()).isEmpty();
        for (Path segment : IntentJournal.segmentsOf(db)) {
            Files.write(segment, IntentLine.encode(pending("old")));
        }

        journal = IntentJournal.open(db);

        for (Path segment : IntentJournal.segmentsOf(db)) {
            assertThat(Files.size(segment)).isZero();
        }
    }

    @Test
    void concurrentAppendsNeverInterleave() throws Exception {
        Path db = dir.resolve("dashboard.db");
        journal = IntentJournal.open(db);
        int threads = 4;
        int each = 500;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                done.add(pool.submit(() -> {
                    for (int i = 0; i < each; i++) {
                        journal.append(pending("t" + thread + "-" + i + "-".repeat(i % 97)));
                    }
                }));
            }
            for (Future<?> f : done) {
                f.get(GUARD_SECONDS, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }

        IntentJournal.Contents contents = IntentJournal.read(db);
        assertThat(contents.unreadableLines()).isZero();
        assertThat(contents.intents()).hasSize(threads * each);
        assertThat(contents.intents()).extracting(PendingRequest::requestId).doesNotHaveDuplicates();
    }

    @Test
    void rotationKeepsEachSegmentBoundedAndNeverLosesAnUnsettledIntent() throws Exception {
        Path db = dir.resolve("dashboard.db");
        long segmentBytes = 4096;
        int window = 50;
        journal = IntentJournal.open(db, segmentBytes, 1000);
        int lineBytes = IntentLine.encode(pending("r-000000")).length;
        // the copies of the unsettled (up to window + 1: one is settled just after the append), a segment of new
        // lines, and the line that crossed it
        long bound = (long) (window + 1) * lineBytes + segmentBytes + lineBytes;
        Deque<String> unsettled = new ArrayDeque<>();
        long largest = 0;

        for (int i = 0; i < 20_000; i++) {
            String id = String.format("r-%06d", i);
            journal.append(pending(id));
            unsettled.addLast(id);
            if (unsettled.size() > window) {
                journal.settled(unsettled.removeFirst());
            }
            for (Path segment : IntentJournal.segmentsOf(db)) {
                largest = Math.max(largest, Files.size(segment));
            }
        }

        assertThat(journal.rotations()).as("20,000 lines of %d bytes in 4 KiB segments", lineBytes)
                .isGreaterThan(100);
        assertThat(largest).isLessThanOrEqualTo(bound);
        assertThat(IntentJournal.read(db).intents()).extracting(PendingRequest::requestId)
                .containsAll(unsettled);
        assertThat(IntentJournal.read(db).intents()).as("the settled ones are dropped as the segments turn")
                .hasSizeLessThan((int) (2 * bound / lineBytes) + 1);
    }

    @Test
    void manyUnsettledIntentsDoNotMakeEveryAppendRotate() {
        Path db = dir.resolve("dashboard.db");
        journal = IntentJournal.open(db, 1024, 1000);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            ids.add("r-" + i);
            journal.append(pending("r-" + i)); // never settled: ~26 KB of copies, far more than a segment
        }

        assertThat(journal.rotations()).as("a rotation needs a segment's worth of new lines").isBetween(1L, 40L);
        assertThat(IntentJournal.read(db).intents()).extracting(PendingRequest::requestId).containsAll(ids);
    }

    @Test
    void pastTheBoundOfUnsettledIntentsAnAppendIsRefusedUntilOneIsSettled() {
        Path db = dir.resolve("dashboard.db");
        journal = IntentJournal.open(db, IntentJournal.DEFAULT_SEGMENT_BYTES, 2);
        journal.append(pending("r-1"));
        journal.append(pending("r-2"));

        assertThatThrownBy(() -> journal.append(pending("r-3"))).isInstanceOf(StoreException.class)
                .hasMessageContaining("2 unsettled intents");

        journal.settled("r-1");
        journal.append(pending("r-3"));
        assertThat(journal.outstanding()).isEqualTo(2);
    }

    @Test
    void aClosedJournalRefusesAppendsAndIsEmptiedWhenNothingWasUnsettled() throws Exception {
        Path db = dir.resolve("dashboard.db");
        journal = IntentJournal.open(db);
        journal.append(pending("r-1"));
        journal.settled("r-1");

        journal.close();

        assertThatThrownBy(() -> journal.append(pending("r-2"))).isInstanceOf(StoreException.class)
                .hasMessageContaining("closed");
        for (Path segment : IntentJournal.segmentsOf(db)) {
            assertThat(Files.size(segment)).isZero();
        }
    }

    @Test
    void aClosedJournalKeepsItsUnsettledIntentsForTheNextStart() {
        Path db = dir.resolve("dashboard.db");
        journal = IntentJournal.open(db);
        journal.append(pending("r-1"));
        journal.append(pending("r-2"));
        journal.settled("r-1");

        journal.close();

        assertThat(IntentJournal.read(db).intents()).extracting(PendingRequest::requestId).contains("r-2");
    }

    private static PendingRequest pending(String id) {
        return new PendingRequest(id, "s1", T0, "moonshot", "kimi-k2", "kimi-k2-0905", true, 120, "proxy");
    }

    private static int indexOf(byte[] bytes, byte b, int from) {
        for (int i = from; i < bytes.length; i++) {
            if (bytes[i] == b) {
                return i;
            }
        }
        return -1;
    }
}
