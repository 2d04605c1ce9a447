package io.kimi.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.channel.DefaultEventLoop;
import io.netty.channel.EventLoop;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The per-event-loop drain: every client that asks is drained on its loop, however many ask at once. */
class LoopDrainsTest {
    private final EventLoop loop = new DefaultEventLoop();
    private final LoopDrains drains = new LoopDrains();

    @AfterEach
    void stop() throws InterruptedException {
        loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
    }

    @Test
    void everyDrainAskedForRunsOnceOnItsLoopEvenWhenMoreAskThanOneTaskRuns() {
        int clients = 3 * LoopDrains.MAX_PER_TASK + 7; // the loop's task is resumed twice
        AtomicInteger ran = new AtomicInteger();
        AtomicBoolean offLoop = new AtomicBoolean();
        LoopDrains.Loop drainsOfLoop = drains.of(loop);
        assertThat(drains.of(loop)).isSameAs(drainsOfLoop);

        for (int i = 0; i < clients; i++) {
            drainsOfLoop.request(() -> {
                if (!loop.inEventLoop()) {
                    offLoop.set(true);
                }
                ran.incrementAndGet();
            });
        }

        await().atMost(Duration.ofSeconds(10)).until(() -> ran.get() == clients);
        assertThat(offLoop).isFalse();
    }

    @Test
    void aDrainThatFailsDoesNotKeepTheOthersOfItsLoopWaiting() {
        AtomicInteger ran = new AtomicInteger();
        LoopDrains.Loop drainsOfLoop = drains.of(loop);

        drainsOfLoop.request(() -> {
            throw new IllegalStateException("one client's drain failed");
        });
        drainsOfLoop.request(ran::incrementAndGet);
        drainsOfLoop.request(ran::incrementAndGet);

        await().atMost(Duration.ofSeconds(10)).until(() -> ran.get() == 2);
    }
}
