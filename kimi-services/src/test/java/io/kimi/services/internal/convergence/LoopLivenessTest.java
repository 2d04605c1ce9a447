package io.kimi.services.internal.convergence;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler.ClientHandshakeStateEvent;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class LoopLivenessTest {
    private final EmbeddedChannel channel = new EmbeddedChannel(new LoopLiveness(Duration.ofSeconds(30)));

    @AfterEach
    void release() {
        channel.finishAndReleaseAll();
    }

    private boolean pinged() {
        Object out = channel.readOutbound();
        ReferenceCountUtil.release(out);
        return out instanceof PingWebSocketFrame;
    }

    @Test
    void checksEveryThirdOfTheTimeout() {
        assertThat(LoopLiveness.checkInterval(Duration.ofSeconds(30))).isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void pingsASilentLoopTwiceThenClosesTheConnectionSayingWhy() {
        channel.pipeline().fireUserEventTriggered(ClientHandshakeStateEvent.HANDSHAKE_COMPLETE);

        channel.pipeline().fireUserEventTriggered(IdleStateEvent.FIRST_READER_IDLE_STATE_EVENT);
        assertThat(pinged()).isTrue();
        channel.pipeline().fireUserEventTriggered(IdleStateEvent.READER_IDLE_STATE_EVENT);
        assertThat(pinged()).isTrue();
        assertThat(channel.isOpen()).isTrue();
        channel.pipeline().fireUserEventTriggered(IdleStateEvent.READER_IDLE_STATE_EVENT);

        assertThat(channel.isOpen()).isFalse();
        assertThat(channel.attr(LoopReader.CLOSE_REASON).get()).isEqualTo("no message or pong for 30000 ms");
    }

    @Test
    void anythingReadStartsTheCountAgain() {
        channel.pipeline().fireUserEventTriggered(ClientHandshakeStateEvent.HANDSHAKE_COMPLETE);
        channel.pipeline().fireUserEventTriggered(IdleStateEvent.FIRST_READER_IDLE_STATE_EVENT);
        channel.pipeline().fireUserEventTriggered(IdleStateEvent.READER_IDLE_STATE_EVENT);

        // A pong arrived: the idle detector's next report is a first one again.
        channel.pipeline().fireUserEventTriggered(IdleStateEvent.FIRST_READER_IDLE_STATE_EVENT);
        channel.pipeline().fireUserEventTriggered(IdleStateEvent.READER_IDLE_STATE_EVENT);

        assertThat(channel.isOpen()).isTrue();
    }

    @Test
    void timeTheBridgeSpendsNotReadingDoesNotCountAgainstTheLoop() {
        channel.pipeline().fireUserEventTriggered(ClientHandshakeStateEvent.HANDSHAKE_COMPLETE);
        channel.pipeline().fireUserEventTriggered(IdleStateEvent.FIRST_READER_IDLE_STATE_EVENT);
        channel.config().setAutoRead(false);

        for (int i = 0; i < 5; i++) {
            channel.pipeline().fireUserEventTriggered(IdleStateEvent.READER_IDLE_STATE_EVENT);
        }
        assertThat(channel.isOpen()).isTrue();
        channel.config().setAutoRead(true);
        channel.pipeline().fireUserEventTriggered(IdleStateEvent.READER_IDLE_STATE_EVENT);
        channel.pipeline().fireUserEventTriggered(IdleStateEvent.READER_IDLE_STATE_EVENT);

        assertThat(channel.isOpen()).as("two silent checks since reading resumed").isTrue();
        channel.pipeline().fireUserEventTriggered(IdleStateEvent.READER_IDLE_STATE_EVENT);
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void beforeTheHandshakeItLeavesTheWaitingToTheHandshakeTimeout() {
        for (int i = 0; i < 5; i++) {
            channel.pipeline().fireUserEventTriggered(IdleStateEvent.READER_IDLE_STATE_EVENT);
        }

        assertThat(channel.isOpen()).isTrue();
        assertThat(channel.<Object>readOutbound()).isNull();
    }
}
