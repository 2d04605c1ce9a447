package io.kimi.proxy;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class SseFramerTest {

    /**
     * Heap buffers without leak-detection wrappers, so that {@link ByteBuf#unwrap()} leads from an event to the
     * buffer it slices and {@code refCnt()} can be checked on every buffer the framer touched.
     */
    private static final ByteBufAllocator PLAIN = new UnpooledByteBufAllocator(false, true);

    enum LineEnd {
        LF("\n"), CRLF("\r\n"), CR("\r");

        final String eol;

        LineEnd(String eol) {
            this.eol = eol;
        }

        /** The test events, each ending with its blank line, written with this line end. */
        List<String> events() {
            List<String> events = new ArrayList<>();
            for (String event : EVENTS_LF) {
                events.add(event.replace("\n", eol));
            }
            return events;
        }

        String stream() {
            return String.join("", events());
        }
    }

    private static final List<String> EVENTS_LF = List.of(
            "data: {\"choices\":[{\"delta\":{\"content\":\"Bon\"}}]}\n\n",
            ": keep-alive comment\ndata: line one\ndata: line two\n\n",
            "event: message\nid: 7\nretry: 1000\ndata: {\"x\":\"é ü 日本\"}\n\n",
            "data:\n\n",
            "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":3}}\n\n",
            "data: [DONE]\n\n");

    @ParameterizedTest
    @EnumSource(LineEnd.class)
    void splitsOneBufferIntoEventsAtBlankLines(LineEnd lineEnd) {
        Framed framed = frame(PLAIN, lineEnd.stream(), List.of());

        assertThat(framed.events).containsExactlyElementsOf(lineEnd.events());
        assertThat(framed.remainder).isEmpty();
    }

    @Test
    void splitsAtLfLfBlankLine() {
        Framed framed = frame(PLAIN, "data: a\n\ndata: b\n\n", List.of());

        assertThat(framed.events).containsExactly("data: a\n\n", "data: b\n\n");
    }

    @Test
    void splitsAtCrlfCrlfBlankLine() {
        Framed framed = frame(PLAIN, "data: a\r\n\r\ndata: b\r\n\r\n", List.of());

        assertThat(framed.events).containsExactly("data: a\r\n\r\n", "data: b\r\n\r\n");
    }

    @Test
    void splitsAtCrCrBlankLine() {
        Framed framed = frame(PLAIN, "data: a\r\rdata: b\r\r", List.of());

        assertThat(framed.events).containsExactly("data: a\r\r", "data: b\r\r");
    }

    @Test
    void crlfInsideAnEventIsOneLineEndNotABlankLine() {
        Framed framed = frame(PLAIN, "data: a\r\ndata: b\r\n\r\n", List.of());

        assertThat(framed.events).containsExactly("data: a\r\ndata: b\r\n\r\n");
    }

    @Test
    void mixedLineEndsStillEndEventsAtTheirBlankLine() {
        String input = "data: a\n\r\ndata: b\r\n\ndata: c\r\r\n";
        Framed framed = frame(PLAIN, input, List.of());

        assertThat(framed.events).containsExactly("data: a\n\r\n", "data: b\r\n\n", "data: c\r\r\n");
        assertThat(framed.remainder).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(LineEnd.class)
    void everySplitPointYieldsTheSameEventsAndTheSameBytes(LineEnd lineEnd) {
        String input = lineEnd.stream();
        int length = input.getBytes(UTF_8).length;
        for (int cut = 0; cut <= length; cut++) {
            Framed framed = frame(PLAIN, input, List.of(cut));

            assertThat(framed.concatenated()).as("bytes after a cut at %d", cut).isEqualTo(input.getBytes(UTF_8));
            assertThat(comparable(framed, lineEnd).events).as("events after a cut at %d", cut)
                    .containsExactlyElementsOf(lineEnd.events());
        }
    }

    @ParameterizedTest
    @EnumSource(LineEnd.class)
    void everyPairOfSplitPointsYieldsTheSameEvents(LineEnd lineEnd) {
        String input = lineEnd.stream();
        int length = input.getBytes(UTF_8).length;
        for (int a = 0; a <= length; a += 3) {
            for (int b = a; b <= length; b += 5) {
                Framed framed = frame(PLAIN, input, List.of(a, b));

                assertThat(framed.concatenated()).as("cuts %d, %d", a, b).isEqualTo(input.getBytes(UTF_8));
                assertThat(comparable(framed, lineEnd).events).as("cuts %d, %d", a, b)
                        .containsExactlyElementsOf(lineEnd.events());
            }
        }
    }

    @ParameterizedTest
    @EnumSource(LineEnd.class)
    void oneByteFeedsYieldTheSameEvents(LineEnd lineEnd) {
        String input = lineEnd.stream();
        int length = input.getBytes(UTF_8).length;
        List<Integer> cuts = new ArrayList<>();
        for (int i = 1; i < length; i++) {
            cuts.add(i);
        }
        Framed framed = frame(PLAIN, input, cuts);

        assertThat(framed.concatenated()).isEqualTo(input.getBytes(UTF_8));
        assertThat(comparable(framed, lineEnd).events).containsExactlyElementsOf(lineEnd.events());
    }

    @Test
    void randomSplitsWithAFixedSeedYieldTheSameEventsAndBytes() {
        Random random = new Random(20240611L);
        for (int iteration = 0; iteration < 400; iteration++) {
            LineEnd lineEnd = LineEnd.values()[random.nextInt(LineEnd.values().length)];
            String tail = random.nextBoolean() ? "" : "data: {\"partial\":";
            String input = lineEnd.stream() + tail;
            int length = input.getBytes(UTF_8).length;
            List<Integer> cuts = randomCuts(random, length);

            Framed framed = frame(PLAIN, input, cuts);

            assertThat(framed.concatenated()).as("iteration %d, cuts %s", iteration, cuts)
                    .isEqualTo(input.getBytes(UTF_8));
            Framed comparable = comparable(framed, lineEnd);
            assertThat(comparable.events).as("iteration %d, cuts %s", iteration, cuts)
                    .containsExactlyElementsOf(lineEnd.events());
            assertThat(comparable.remainder).as("iteration %d, cuts %s", iteration, cuts).isEqualTo(tail);
        }
    }

    @Test
    void randomSplitsWithThePooledAllocatorReleaseEveryBuffer() {
        Random random = new Random(7L);
        ByteBufAllocator pooled = PooledByteBufAllocator.DEFAULT;
        for (int iteration = 0; iteration < 300; iteration++) {
            LineEnd lineEnd = LineEnd.values()[iteration % LineEnd.values().length];
            String input = lineEnd.stream() + "data: tail";
            List<Integer> cuts = randomCuts(random, input.getBytes(UTF_8).length);

            Framed framed = frame(pooled, input, cuts);

            assertThat(framed.concatenated()).as("iteration %d, cuts %s", iteration, cuts)
                    .isEqualTo(input.getBytes(UTF_8));
            assertThat(framed.remainder).endsWith("data: tail");
        }
    }

    @Test
    void aTailWithoutBlankLineIsHeldBackUntilRemainder() {
        SseFramer framer = new SseFramer(PLAIN);
        List<ByteBuf> out = new ArrayList<>();
        ByteBuf first = buffer(PLAIN, "data: a\n\ndata: b\n");

        framer.feed(first, out);

        assertThat(strings(out)).containsExactly("data: a\n\n");
        release(out);
        ByteBuf rest = framer.remainder();
        assertThat(rest.toString(UTF_8)).isEqualTo("data: b\n");
        assertThat(rest.release()).isTrue();
        assertThat(first.refCnt()).isZero();
    }

    @Test
    void aHeldBackTailBecomesAnEventWhenItsBlankLineArrives() {
        SseFramer framer = new SseFramer(PLAIN);
        List<ByteBuf> out = new ArrayList<>();
        ByteBuf first = buffer(PLAIN, "data: par");
        ByteBuf second = buffer(PLAIN, "tial\n");
        ByteBuf third = buffer(PLAIN, "\ndata: next");

        framer.feed(first, out);
        framer.feed(second, out);
        assertThat(out).isEmpty();
        framer.feed(third, out);

        assertThat(strings(out)).containsExactly("data: partial\n\n");
        List<ByteBuf> roots = roots(out);
        release(out);
        ByteBuf rest = framer.remainder();
        assertThat(rest.toString(UTF_8)).isEqualTo("data: next");
        roots.add(root(rest));
        rest.release();
        assertAllReleased(roots, first, second, third);
    }

    @Test
    void remainderOfAnUnusedFramerIsEmptyNotNull() {
        SseFramer framer = new SseFramer(PLAIN);

        ByteBuf rest = framer.remainder();

        assertThat(rest).isNotNull();
        assertThat(rest.readableBytes()).isZero();
        rest.release();
    }

    @Test
    void remainderIsEmptyWhenEveryEventIsComplete() {
        SseFramer framer = new SseFramer(PLAIN);
        List<ByteBuf> out = new ArrayList<>();
        ByteBuf in = buffer(PLAIN, "data: a\n\n");

        framer.feed(in, out);
        release(out);
        ByteBuf rest = framer.remainder();

        assertThat(rest).isNotNull();
        assertThat(rest.isReadable()).isFalse();
        rest.release();
        assertThat(in.refCnt()).isZero();
    }

    @Test
    void remainderPassesOwnershipSoTheFramerNoLongerHoldsIt() {
        SseFramer framer = new SseFramer(PLAIN);
        List<ByteBuf> out = new ArrayList<>();
        ByteBuf in = buffer(PLAIN, "data: a");
        framer.feed(in, out);

        ByteBuf rest = framer.remainder();
        framer.release();

        assertThat(rest.refCnt()).isEqualTo(1);
        assertThat(rest.release()).isTrue();
        assertThat(in.refCnt()).isZero();
    }

    @Test
    void releaseFreesAHeldBackTail() {
        SseFramer framer = new SseFramer(PooledByteBufAllocator.DEFAULT);
        List<ByteBuf> out = new ArrayList<>();
        ByteBuf first = buffer(PooledByteBufAllocator.DEFAULT, "data: a\n");
        ByteBuf second = buffer(PooledByteBufAllocator.DEFAULT, "data: b");
        framer.feed(first, out);
        framer.feed(second, out);
        assertThat(out).isEmpty();

        framer.release();

        assertThat(first.refCnt()).isZero();
        assertThat(second.refCnt()).isZero();
    }

    @Test
    void eventsStayReadableAfterTheFramerMergedOrDroppedTheirBuffer() {
        SseFramer framer = new SseFramer(PLAIN);
        List<ByteBuf> out = new ArrayList<>();
        framer.feed(buffer(PLAIN, "data: a\n\ndata: "), out);
        framer.feed(buffer(PLAIN, "b\n\n"), out);
        framer.feed(buffer(PLAIN, "data: c\n\n"), out);
        framer.release();

        assertThat(strings(out)).containsExactly("data: a\n\n", "data: b\n\n", "data: c\n\n");
        release(out);
    }

    @Test
    void aBlankLineCrAtTheEndOfAFeedCompletesTheEventWithoutWaitingForItsLf() {
        SseFramer framer = new SseFramer(PLAIN);
        List<ByteBuf> out = new ArrayList<>();

        framer.feed(buffer(PLAIN, "data: a\r\n\r"), out);
        assertThat(strings(out)).containsExactly("data: a\r\n\r");
        framer.feed(buffer(PLAIN, "\ndata: b\r\n\r\n"), out);

        // The LF that completes the CRLF is not a second blank line: it travels with the next event.
        assertThat(strings(out)).containsExactly("data: a\r\n\r", "\ndata: b\r\n\r\n");
        ByteBuf rest = framer.remainder();
        assertThat(rest.isReadable()).isFalse();
        rest.release();
        release(out);
    }

    @Test
    void anLfEndingAnEarlierCrLineIsNotTakenForABlankLine() {
        SseFramer framer = new SseFramer(PLAIN);
        List<ByteBuf> out = new ArrayList<>();

        framer.feed(buffer(PLAIN, "data: a\r"), out);
        framer.feed(buffer(PLAIN, "\n"), out);
        framer.feed(buffer(PLAIN, "data: b\r\n\r\n"), out);

        assertThat(strings(out)).containsExactly("data: a\r\ndata: b\r\n\r\n");
        framer.release();
        release(out);
    }

    @Test
    void emptyFeedsEmitNothingAndKeepTheTail() {
        SseFramer framer = new SseFramer(PLAIN);
        List<ByteBuf> out = new ArrayList<>();
        ByteBuf a = buffer(PLAIN, "");
        ByteBuf b = buffer(PLAIN, "data: x\n");
        ByteBuf c = buffer(PLAIN, "");
        ByteBuf d = buffer(PLAIN, "\n");

        framer.feed(a, out);
        framer.feed(b, out);
        framer.feed(c, out);
        assertThat(out).isEmpty();
        framer.feed(d, out);

        assertThat(strings(out)).containsExactly("data: x\n\n");
        List<ByteBuf> roots = roots(out);
        release(out);
        ByteBuf rest = framer.remainder();
        roots.add(root(rest));
        rest.release();
        assertAllReleased(roots, a, b, c, d);
    }

    // --- long events, and the limit ---

    @Test
    void anEventArrivingInManyPiecesIsOneCompositeOfThemWithoutCopying() {
        SseFramer framer = new SseFramer(PLAIN);
        List<ByteBuf> out = new ArrayList<>();
        List<ByteBuf> pieces = new ArrayList<>();
        StringBuilder expected = new StringBuilder("data: ");
        pieces.add(buffer(PLAIN, "data: "));
        for (int i = 0; i < 1000; i++) {
            String piece = "piece" + i + " ";
            expected.append(piece);
            pieces.add(buffer(PLAIN, piece));
        }
        pieces.add(buffer(PLAIN, "\n\ndata: next"));
        expected.append("\n\n");

        for (ByteBuf piece : pieces) {
            assertThat(framer.feed(piece, out)).isTrue();
        }

        assertThat(out).hasSize(1);
        ByteBuf event = out.get(0);
        assertThat(event.toString(UTF_8)).isEqualTo(expected.toString());
        assertThat(event).isInstanceOf(CompositeByteBuf.class);
        assertThat(((CompositeByteBuf) event).numComponents()).as("one component per piece: nothing merged")
                .isEqualTo(pieces.size());
        release(out);
        ByteBuf rest = framer.remainder();
        assertThat(rest.toString(UTF_8)).isEqualTo("data: next");
        rest.release();
        assertAllReleased(List.of(), pieces.toArray(ByteBuf[]::new));
    }

    @Test
    void anEventOfExactlyTheLimitPasses() {
        SseFramer framer = new SseFramer(PLAIN, 10);
        List<ByteBuf> out = new ArrayList<>();

        assertThat(framer.feed(buffer(PLAIN, "data: ab"), out)).isTrue();
        assertThat(framer.feed(buffer(PLAIN, "\n\ndata: 12\n\n"), out)).isTrue();

        assertThat(strings(out)).containsExactly("data: ab\n\n", "data: 12\n\n");
        release(out);
        framer.release();
    }

    @Test
    void anIncompleteEventOverTheLimitIsRefusedAsSoonAsItIsLongerAndEverythingReleased() {
        SseFramer framer = new SseFramer(PLAIN, 10);
        List<ByteBuf> out = new ArrayList<>();
        ByteBuf first = buffer(PLAIN, "data: 1\n\ndata: ");
        ByteBuf second = buffer(PLAIN, "abcde");

        assertThat(framer.feed(first, out)).isTrue();
        assertThat(framer.feed(second, out)).as("11 bytes of an event, no end yet").isFalse();

        assertThat(strings(out)).containsExactly("data: 1\n\n");
        List<ByteBuf> roots = roots(out);
        release(out);
        assertThat(framer.remainder().isReadable()).isFalse();
        assertAllReleased(roots, first, second);
    }

    @Test
    void aCompleteEventOverTheLimitIsRefusedAfterTheEventsBeforeIt() {
        SseFramer framer = new SseFramer(PLAIN, 10);
        List<ByteBuf> out = new ArrayList<>();
        ByteBuf in = buffer(PLAIN, "data: 1\n\ndata: 123\n\ndata: 2\n\n");

        assertThat(framer.feed(in, out)).isFalse();

        assertThat(strings(out)).containsExactly("data: 1\n\n");
        List<ByteBuf> roots = roots(out);
        release(out);
        framer.release();
        assertAllReleased(roots, in);
    }

    // --- helpers ---

    /** The framer's output after feeding {@code input} cut at {@code cuts}; everything allocated is released. */
    private static Framed frame(ByteBufAllocator alloc, String input, List<Integer> cuts) {
        byte[] bytes = input.getBytes(UTF_8);
        SseFramer framer = new SseFramer(alloc);
        List<ByteBuf> inputs = new ArrayList<>();
        List<ByteBuf> out = new ArrayList<>();
        List<String> events = new ArrayList<>();
        List<ByteBuf> roots = new ArrayList<>();
        TreeSet<Integer> points = new TreeSet<>(cuts);
        points.add(bytes.length);
        int from = 0;
        for (int to : points) {
            ByteBuf in = alloc.buffer(to - from).writeBytes(bytes, from, to - from);
            inputs.add(in);
            framer.feed(in, out);
            for (ByteBuf event : out) {
                assertThat(event.refCnt()).isPositive();
                events.add(event.toString(UTF_8));
                roots.add(root(event));
                event.release();
            }
            out.clear();
            from = to;
        }
        ByteBuf rest = framer.remainder();
        String remainder = "";
        if (rest != null) {
            remainder = rest.toString(UTF_8);
            roots.add(root(rest));
            rest.release();
        }
        framer.release();
        assertAllReleased(roots, inputs.toArray(ByteBuf[]::new));
        return new Framed(events, remainder);
    }

    /**
     * A CR ending a blank line at the end of a feed completes its event at once (see
     * {@link #aBlankLineCrAtTheEndOfAFeedCompletesTheEventWithoutWaitingForItsLf()}), so the LF of that CRLF
     * starts the next event. For CRLF streams, moves such an LF back to the event it ends before comparing.
     */
    private static Framed comparable(Framed framed, LineEnd lineEnd) {
        if (lineEnd != LineEnd.CRLF) {
            return framed;
        }
        List<String> events = new ArrayList<>(framed.events);
        String remainder = framed.remainder;
        for (int i = 1; i <= events.size(); i++) {
            String previous = events.get(i - 1);
            String current = i < events.size() ? events.get(i) : remainder;
            if (previous.endsWith("\r") && current.startsWith("\n")) {
                events.set(i - 1, previous + "\n");
                if (i < events.size()) {
                    events.set(i, current.substring(1));
                } else {
                    remainder = current.substring(1);
                }
            }
        }
        events.removeIf(String::isEmpty);
        return new Framed(events, remainder);
    }

    private static List<Integer> randomCuts(Random random, int length) {
        int count = 1 + random.nextInt(12);
        List<Integer> cuts = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            cuts.add(random.nextInt(length + 1));
        }
        return cuts;
    }

    private static ByteBuf buffer(ByteBufAllocator alloc, String s) {
        byte[] bytes = s.getBytes(UTF_8);
        return alloc.buffer(bytes.length).writeBytes(bytes);
    }

    private static List<String> strings(List<ByteBuf> bufs) {
        List<String> strings = new ArrayList<>();
        for (ByteBuf buf : bufs) {
            strings.add(buf.toString(UTF_8));
        }
        return strings;
    }

    private static List<ByteBuf> roots(List<ByteBuf> bufs) {
        List<ByteBuf> roots = new ArrayList<>();
        for (ByteBuf buf : bufs) {
            roots.add(root(buf));
        }
        return roots;
    }

    private static ByteBuf root(ByteBuf buf) {
        ByteBuf b = buf;
        while (b.unwrap() != null) {
            b = b.unwrap();
        }
        return b;
    }

    private static void release(List<ByteBuf> bufs) {
        for (ByteBuf buf : bufs) {
            buf.release();
        }
        bufs.clear();
    }

    private static void assertAllReleased(List<ByteBuf> roots, ByteBuf... inputs) {
        for (ByteBuf in : inputs) {
            assertThat(in.refCnt()).as("refCnt of an input buffer").isZero();
        }
        for (ByteBuf r : roots) {
            assertThat(r.refCnt()).as("refCnt of a buffer behind an event").isZero();
        }
    }

    private record Framed(List<String> events, String remainder) {
        byte[] concatenated() {
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            for (String e : events) {
                all.writeBytes(e.getBytes(UTF_8));
            }
            all.writeBytes(remainder.getBytes(UTF_8));
            return all.toByteArray();
        }

        @Override
        public String toString() {
            return "Framed" + Arrays.asList(events, remainder);
        }
    }
}
