package io.kimi.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.kimi.config.ConnectionLimits;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link HttpTimeouts} on an embedded channel whose clock the test moves. */
class HttpTimeoutsTest {
    private static final ConnectionLimits LIMITS = new ConnectionLimits(Duration.ofSeconds(10),
            Duration.ofSeconds(20), Duration.ofSeconds(30), 10, 10, 16);

    private final List<String> timeouts = new ArrayList<>();
    private final List<HttpObject> requests = new ArrayList<>();
    private final EmbeddedChannel channel = channel();

    private EmbeddedChannel channel() {
        HttpTimeouts handler = new HttpTimeouts(LIMITS, timeouts::add);
        EmbeddedChannel ch = new EmbeddedChannel();
        ch.freezeTime(); // only advance() moves the clock
        ch.pipeline().addLast(handler.firstBytes(), new HttpServerCodec(), handler);
        return ch;
    }

    @AfterEach
    void release() {
        requests.forEach(ReferenceCountUtil::release);
        channel.finishAndReleaseAll();
    }

    private void receive(String ascii) {
        channel.writeInbound(Unpooled.copiedBuffer(ascii, StandardCharsets.ISO_8859_1));
        HttpObject o;
        while ((o = channel.readInbound()) != null) {
            requests.add(o);
        }
    }

    private void advance(Duration d) {
        channel.advanceTimeBy(d.toMillis(), TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();
    }

    private String sent() {
        StringBuilder b = new StringBuilder();
        ByteBuf buf;
        while ((buf = channel.readOutbound()) != null) {
            b.append(buf.toString(StandardCharsets.ISO_8859_1));
            buf.release();
        }
        return b.toString();
    }

    @Test
    void headersStillIncompleteAtTheHeaderTimeoutGet408AndTheConnectionCloses() {
        receive("GET /health HTTP/1.1\r\nHost: x\r\n");
        advance(Duration.ofMillis(9_999));
        assertThat(channel.isOpen()).isTrue();

        advance(Duration.ofMillis(2));

        assertThat(sent()).startsWith("HTTP/1.1 408 ").contains("server.header_read_timeout_ms");
        assertThat(channel.isOpen()).isFalse();
        assertThat(timeouts).containsExactly("header");
    }

    @Test
    void aBodyStillIncompleteAtTheBodyTimeoutGets408() {
        receive("POST /api/events HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n{}");
        advance(Duration.ofSeconds(19));
        assertThat(channel.isOpen()).isTrue();

        advance(Duration.ofSeconds(2));

        assertThat(sent()).startsWith("HTTP/1.1 408 ").contains("server.body_read_timeout_ms");
        assertThat(timeouts).containsExactly("body");
    }

    @Test
    void noTimerRunsWhileAResponseIsBeingSentThenTheIdleTimerClosesTheConnection() {
        receive("GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
        channel.writeOutbound(new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK));
        for (int i = 0; i < 10; i++) {
            advance(Duration.ofMinutes(1));
            channel.writeOutbound(new DefaultHttpContent(Unpooled.copiedBuffer("data: x\n\n", StandardCharsets.UTF_8)));
        }
        assertThat(channel.isOpen()).as("open after 10 minutes of streaming").isTrue();

        channel.writeOutbound(LastHttpContent.EMPTY_LAST_CONTENT);
        advance(Duration.ofSeconds(29));
        assertThat(channel.isOpen()).isTrue();
        advance(Duration.ofSeconds(2));

        assertThat(channel.isOpen()).isFalse();
        assertThat(timeouts).containsExactly("idle");
    }

    @Test
    void theNextRequestsFirstByteStartsItsHeaderTimer() {
        receive("GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
        channel.writeOutbound(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK));
        advance(Duration.ofSeconds(25));

        receive("G");
        advance(Duration.ofSeconds(9));
        assertThat(channel.isOpen()).as("the idle timer no longer runs").isTrue();
        advance(Duration.ofSeconds(2));

        assertThat(channel.isOpen()).isFalse();
        assertThat(timeouts).containsExactly("header");
    }

    @Test
    void a100ContinueIsNotTheAnswer() {
        receive("POST /api/events HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n");
        channel.writeOutbound(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE));
        receive("{}");
        channel.writeOutbound(new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK));

        advance(Duration.ofHours(1));

        assertThat(channel.isOpen()).as("the answer is still being sent").isTrue();
        assertThat(timeouts).isEmpty();
    }

    @Test
    void aWebSocketUpgradeRemovesTheTimers() {
        receive("GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n");
        channel.writeOutbound(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                HttpResponseStatus.SWITCHING_PROTOCOLS));

        advance(Duration.ofHours(1));

        assertThat(channel.isOpen()).isTrue();
        assertThat(channel.pipeline().get(HttpTimeouts.class)).isNull();
        assertThat(timeouts).isEmpty();
    }
}
