package io.kimi.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link PipelinedRequests} on an embedded channel: what it passes on, when, and that every buffer it holds is
 * released however the connection ends.
 */
class PipelinedRequestsTest {
    private final AtomicInteger overflows = new AtomicInteger();
    private final List<ByteBuf> sent = new ArrayList<>();
    /** Bodies pause reading beyond 2,000 bytes (each part counts 256 more). */
    private final EmbeddedChannel channel = new EmbeddedChannel(
            new PipelinedRequests(2, 2000, new PipelinedRequests.Overflows(overflows::incrementAndGet)));
    /** Where the handler's copies of waiting bodies come from, to see that they are all released. */
    private final UnpooledByteBufAllocator copies = new UnpooledByteBufAllocator(false);

    PipelinedRequestsTest() {
        channel.config().setAllocator(copies);
    }

    @AfterEach
    void finish() {
        channel.finishAndReleaseAll();
    }

    private HttpRequest head(String uri) {
        return new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, uri);
    }

    private ByteBuf body(String text) {
        ByteBuf b = Unpooled.copiedBuffer(text, StandardCharsets.UTF_8);
        sent.add(b);
        return b;
    }

    /** Sends one request: its head, a content and the last content, each with a body part. */
    private void request(String uri) {
        channel.writeInbound(head(uri), new DefaultHttpContent(body(uri + "-a")),
                new DefaultLastHttpContent(body(uri + "-b")));
    }

    /** The URIs (heads) and body texts passed on so far, releasing the contents. */
    private List<String> passed() {
        List<String> out = new ArrayList<>();
        Object o;
        while ((o = channel.readInbound()) != null) {
            if (o instanceof HttpRequest r) {
                out.add(r.uri());
            }
            if (o instanceof HttpContent c) {
                out.add(c.content().toString(StandardCharsets.UTF_8));
            }
            ReferenceCountUtil.release(o);
        }
        return out;
    }

    private void answer() {
        channel.writeOutbound(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK));
        channel.runPendingTasks();
        drainOutbound().forEach(ReferenceCountUtil::release);
    }

    private List<Object> drainOutbound() {
        List<Object> out = new ArrayList<>();
        Object o;
        while ((o = channel.readOutbound()) != null) {
            out.add(o);
        }
        return out;
    }

    @Test
    void aRequestWaitsWithAllItsPartsUntilTheResponseBeforeItIsWritten() {
        request("/1");
        request("/2");

        assertThat(passed()).containsExactly("/1", "/1-a", "/1-b");
        assertThat(channel.config().isAutoRead()).as("still reading, to notice a client that leaves").isTrue();

        answer();

        assertThat(passed()).containsExactly("/2", "/2-a", "/2-b");
    }

    @Test
    void readingPausesWhileWaitingBodiesHoldMoreThanTheBoundAndResumesOnceTheyWentOn() {
        request("/1");
        String big = "x".repeat(3000);
        channel.writeInbound(head("/2"), new DefaultLastHttpContent(body(big)));
        passed();

        assertThat(channel.config().isAutoRead()).isFalse();
        answer();

        assertThat(passed()).containsExactly("/2", big);
        assertThat(channel.config().isAutoRead()).isTrue();
    }

    @Test
    void aBodyInOneByteChunksCountsItsPartsTowardsTheBound() {
        request("/1");
        channel.writeInbound(head("/2"));
        for (int i = 0; i < 10; i++) {
            channel.writeInbound(new DefaultHttpContent(body("y")));
        }
        passed();

        assertThat(channel.config().isAutoRead()).as("11 parts of 1 byte each").isFalse();
        channel.close();
        assertThat(sent).allSatisfy(b -> assertThat(b.refCnt()).isZero());
        assertThat(copies.metric().usedHeapMemory()).as("copies of waiting bodies").isZero();
    }

    @Test
    void aStreamedResponseReleasesTheNextRequestOnlyAtItsLastContent() {
        request("/1");
        request("/2");
        passed();

        channel.writeOutbound(new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK),
                new DefaultHttpContent(Unpooled.copiedBuffer("data: x\n\n", StandardCharsets.UTF_8)));
        channel.runPendingTasks();
        assertThat(passed()).as("mid-stream").isEmpty();

        channel.writeOutbound(LastHttpContent.EMPTY_LAST_CONTENT);
        channel.runPendingTasks();
        assertThat(passed()).containsExactly("/2", "/2-a", "/2-b");
        drainOutbound().forEach(ReferenceCountUtil::release);
    }

    @Test
    void aContinueIsNotTheAnswer() {
        request("/1");
        request("/2");
        passed();

        channel.writeOutbound(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE));
        channel.runPendingTasks();

        assertThat(passed()).isEmpty();
    }

    @Test
    void theRequestOverTheLimitIsAnswered503InItsTurnAndTheConnectionClosed() {
        request("/1");
        request("/2");
        request("/3");
        request("/4"); // the third waiting, over the limit of 2
        request("/5");
        passed();

        assertThat(overflows).hasValue(1);
        answer();
        assertThat(passed()).containsExactly("/2", "/2-a", "/2-b");
        answer();
        assertThat(passed()).containsExactly("/3", "/3-a", "/3-b");
        channel.writeOutbound(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK));
        channel.runPendingTasks();

        List<Object> out = drainOutbound();
        FullHttpResponse refused = (FullHttpResponse) out.get(out.size() - 1);
        assertThat(refused.status().code()).isEqualTo(503);
        assertThat(refused.headers().get("Connection")).isEqualTo("close");
        assertThat(refused.content().toString(StandardCharsets.UTF_8))
                .contains("\"code\":\"too_many_pipelined_requests\"");
        out.forEach(ReferenceCountUtil::release);
        assertThat(channel.isOpen()).isFalse();
        assertThat(passed()).as("nothing after the refused request runs").isEmpty();
        assertThat(sent).allSatisfy(b -> assertThat(b.refCnt()).isZero());
        assertThat(copies.metric().usedHeapMemory()).as("copies of waiting bodies").isZero();
    }

    @Test
    void waitingRequestsAreReleasedWhenTheConnectionCloses() {
        request("/1");
        request("/2");
        channel.writeInbound(head("/3"), new DefaultHttpContent(body("/3-a"))); // still arriving
        passed();

        channel.close();

        assertThat(sent).allSatisfy(b -> assertThat(b.refCnt()).isZero());
        assertThat(copies.metric().usedHeapMemory()).as("copies of waiting bodies").isZero();
    }

    @Test
    void aWebSocketUpgradeRemovesTheHandlerAndReleasesWhatWaits() {
        request("/1");
        request("/2");
        passed();

        channel.writeOutbound(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                HttpResponseStatus.SWITCHING_PROTOCOLS));

        assertThat(channel.pipeline().get(PipelinedRequests.class)).isNull();
        assertThat(sent).allSatisfy(b -> assertThat(b.refCnt()).isZero());
        assertThat(copies.metric().usedHeapMemory()).as("copies of waiting bodies").isZero();
        assertThat(channel.config().isAutoRead()).isTrue();
        drainOutbound().forEach(ReferenceCountUtil::release);
    }

    @Test
    void aResponseToTheLastRequestLetsTheNextPassAtOnce() {
        request("/1");
        passed();
        answer();

        request("/2");

        assertThat(passed()).containsExactly("/2", "/2-a", "/2-b");
        assertThat(channel.config().isAutoRead()).isTrue();
    }
}
