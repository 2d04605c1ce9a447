package io.kimi.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kimi.api.testing.KimiServerExtension;
import io.kimi.testing.FakeUpstream;
import io.kimi.testing.Reply;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Every future {@link Rest} returns completes, whatever fails: a reply handler that throws an {@link Error} (a
 * missing or clashing library) and a server that sends its headers but never its body.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RestTest {
    /** How long the test waits on a future before calling it hung (far above the client timeouts used here). */
    private static final long HUNG_SECONDS = 20;

    @RegisterExtension
    static final KimiServerExtension server = new KimiServerExtension();

    private Rest rest(String base, Duration requestTimeout) {
        return new Rest(HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build(), URI.create(base),
                requestTimeout, null);
    }

    @Test
    void aHandlerThrowingALinkageErrorFailsTheFutureNamingTheMissingDependency() {
        CompletableFuture<Object> future = rest(server.baseUrl(), Duration.ofSeconds(10)).get("/api/sessions", null,
                body -> {
                    throw new NoClassDefFoundError("com/fasterxml/jackson/databind/ObjectMapper");
                });

        assertThatThrownBy(() -> future.get(HUNG_SECONDS, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(DashboardException.class)
                .hasMessageContaining("com.fasterxml.jackson.core:jackson-databind")
                .hasMessageContaining("com/fasterxml/jackson/databind/ObjectMapper")
                .hasCauseInstanceOf(NoClassDefFoundError.class);
    }

    @Test
    void aHandlerThrowingAnyOtherErrorFailsTheFutureWithThatError() {
        CompletableFuture<Object> future = rest(server.baseUrl(), Duration.ofSeconds(10)).get("/api/sessions", null,
                body -> {
                    throw new AssertionError("a bug in a handler");
                });

        assertThatThrownBy(() -> future.get(HUNG_SECONDS, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(AssertionError.class).hasMessage("a bug in a handler");
    }

    @Test
    void theBlockingCallRethrowsAnErrorInsteadOfWaitingForever() throws Exception {
        CompletableFuture<Object> call = CompletableFuture.supplyAsync(() -> DashboardClient.await(
                rest(server.baseUrl(), Duration.ofSeconds(10)).get("/api/sessions", null, body -> {
                    throw new ExceptionInInitializerError("clashing Jackson version");
                }), Duration.ofSeconds(10)));

        assertThatThrownBy(() -> call.get(HUNG_SECONDS, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(DashboardException.class)
                .hasMessageContaining("com.fasterxml.jackson.core:jackson-databind");
    }

    /**
     * Waits on the future {@link Rest} returns, not on a blocking call: the blocking call's own bound is only
     * {@link DashboardClient#AWAIT_MARGIN} longer than the request timeout, and on a loaded machine that bound
     * could fire first (a "within 2000 ms" failure instead of the request timeout's). Here the only other bound is
     * {@link #HUNG_SECONDS}, far away.
     */
    @Test
    void aReplyWhoseBodyNeverComesFailsWithinTheRequestTimeout() throws Exception {
        try (FakeUpstream stalling = FakeUpstream.start()) {
            stalling.enqueue(Reply.json(200, "{\"sessions\":[],\"total\":0,\"limit\":10,\"offset\":0}")
                    .delayBeforeBody(Duration.ofMinutes(5)));

            CompletableFuture<byte[]> call = rest(stalling.baseUrl(), Duration.ofSeconds(1))
                    .get("/api/sessions", null, body -> body);

            assertThatThrownBy(() -> call.get(HUNG_SECONDS, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .cause().isInstanceOf(DashboardConnectionException.class)
                    .hasMessageContaining("no complete reply within 1000 ms");
            assertThat(stalling.awaitClientDisconnect(Duration.ofSeconds(10)))
                    .as("the abandoned exchange's connection is closed").isTrue();
        }
    }
}
