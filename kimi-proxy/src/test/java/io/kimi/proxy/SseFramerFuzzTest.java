package io.kimi.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Fuzzes {@link SseFramer} with the byte stream a provider sends. Oracle: whatever the chunk split (one buffer,
 * one byte at a time, random cuts), the events are those of a plain reference reading of the SSE rules (an
 * event ends at a blank line; a line ends at LF, CRLF or CR); the bytes come out unchanged; and every buffer is
 * released. The one tolerated difference is the documented one: a CRLF cut between its CR and LF leaves the
 * LF at the start of the next event. Corpus: {@code src/test/resources/io/kimi/proxy/SseFramerFuzzTestInputs/}.
 */
class SseFramerFuzzTest {
    /** Heap buffers without leak-detection wrappers, so every buffer the framer touched can be checked. */
    private static final ByteBufAllocator PLAIN = new UnpooledByteBufAllocator(false, true);

    @FuzzTest(maxDuration = "3m")
    void eventsAndBytesAreTheSameWhateverTheChunkSplit(byte[] stream) {
        List<byte[]> expected = referenceEvents(stream);

        assertFramedAs(stream, List.of(), expected, false);
        List<Integer> everyByte = new ArrayList<>();
        for (int i = 1; i < stream.length; i++) {
            everyByte.add(i);
        }
        assertFramedAs(stream, everyByte, expected, true);
        Random random = new Random(Arrays.hashCode(stream));
        for (int round = 0; round < 4; round++) {
            List<Integer> cuts = new ArrayList<>();
            for (int i = random.nextInt(8); i >= 0; i--) {
                cuts.add(random.nextInt(stream.length + 1));
            }
            cuts.sort(null);
            assertFramedAs(stream, cuts, expected, true);
        }
    }

    private static void assertFramedAs(byte[] stream, List<Integer> cuts, List<byte[]> expected, boolean split) {
        SseFramer framer = new SseFramer(PLAIN);
        List<ByteBuf> inputs = new ArrayList<>();
        List<ByteBuf> out = new ArrayList<>();
        int from = 0;
        for (int cut : cuts) {
            feed(framer, Arrays.copyOfRange(stream, from, cut), inputs, out);
            from = cut;
        }
        feed(framer, Arrays.copyOfRange(stream, from, stream.length), inputs, out);
        ByteBuf rest = framer.remainder();
        List<ByteBuf> backing = new ArrayList<>(inputs);
        List<byte[]> events = new ArrayList<>();
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (ByteBuf event : out) {
            backing.add(event.unwrap() != null ? event.unwrap() : event);
            byte[] bytes = ByteBufUtil.getBytes(event);
            events.add(bytes);
            all.writeBytes(bytes);
            event.release();
        }
        byte[] remainder = ByteBufUtil.getBytes(rest);
        all.writeBytes(remainder);
        if (rest != Unpooled.EMPTY_BUFFER) {
            backing.add(rest);
            rest.release();
        }
        framer.release();

        assertThat(all.toByteArray()).as("bytes after cuts %s", cuts).isEqualTo(stream);
        List<byte[]> comparable = split ? rejoinCutCrlf(events, remainder) : withRemainder(events, remainder);
        assertThat(comparable).as("events after cuts %s", cuts).containsExactlyElementsOf(expected);
        for (ByteBuf buffer : backing) {
            assertThat(buffer.refCnt()).as("a buffer left unreleased after cuts %s", cuts).isZero();
        }
    }

    private static void feed(SseFramer framer, byte[] chunk, List<ByteBuf> inputs, List<ByteBuf> out) {
        ByteBuf in = PLAIN.heapBuffer(chunk.length).writeBytes(chunk);
        inputs.add(in);
        framer.feed(in, out);
    }

    private static List<byte[]> withRemainder(List<byte[]> events, byte[] remainder) {
        List<byte[]> all = new ArrayList<>(events);
        if (remainder.length > 0) {
            all.add(remainder);
        }
        return all;
    }

    /** Moves an LF that starts an event back to the event before it when that one ends with its CR. */
    private static List<byte[]> rejoinCutCrlf(List<byte[]> events, byte[] remainder) {
        List<byte[]> all = new ArrayList<>(withRemainder(events, remainder));
        for (int i = 1; i < all.size(); i++) {
            byte[] previous = all.get(i - 1);
            byte[] current = all.get(i);
            if (previous.length > 0 && previous[previous.length - 1] == '\r' && current.length > 0
                    && current[0] == '\n') {
                byte[] joined = Arrays.copyOf(previous, previous.length + 1);
                joined[previous.length] = '\n';
                all.set(i - 1, joined);
                all.set(i, Arrays.copyOfRange(current, 1, current.length));
            }
        }
        all.removeIf(event -> event.length == 0);
        return all;
    }

    /** The SSE rules read plainly: each event ends after the line end of a blank line; the tail is the last. */
    private static List<byte[]> referenceEvents(byte[] stream) {
        List<byte[]> events = new ArrayList<>();
        int start = 0;
        boolean atLineStart = true;
        int i = 0;
        while (i < stream.length) {
            byte b = stream[i];
            if (b == '\r' || b == '\n') {
                int lineEnd = b == '\r' && i + 1 < stream.length && stream[i + 1] == '\n' ? i + 2 : i + 1;
                if (atLineStart) {
                    events.add(Arrays.copyOfRange(stream, start, lineEnd));
                    start = lineEnd;
                }
                atLineStart = true;
                i = lineEnd;
            } else {
                atLineStart = false;
                i++;
            }
        }
        if (start < stream.length) {
            events.add(Arrays.copyOfRange(stream, start, stream.length));
        }
        return events;
    }
}
