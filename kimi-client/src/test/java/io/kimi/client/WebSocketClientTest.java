package io.kimi.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kimi.api.testing.KimiServerExtension;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@link WebSocketClient} against a real dashboard on loopback, including a restart of that dashboard. */
class WebSocketClientTest {
    @RegisterExtension
    final KimiServerExtension server = new KimiServerExtension();
    final List<WebSocketClient> clients = new ArrayList<>();

    @AfterEach
    void stop() {
        clients.forEach(WebSocketClient::close);
    }

    private WebSocketClient track(WebSocketClient client) {
        clients.add(client);
        return client;
    }

    private static Event next(BlockingQueue<Event> events) throws InterruptedException {
        Event e = events.poll(10, TimeUnit.SECONDS);
        assertThat(e).as("an event within 10 s").isNotNull();
        return e;
    }

    @Test
    void receivesInitThenEveryEventThroughLambdas() throws Exception {
        BlockingQueue<Event> events = new LinkedBlockingQueue<>();
        BlockingQueue<LiveMessage> messages = new LinkedBlockingQueue<>();
        CountDownLatch connected = new CountDownLatch(1);
        WebSocketClient ws = track(WebSocketClient.builder(server.wsUrl())
                .onConnect(c -> connected.countDown())
                .onEvent(events::add)
                .onMessage(messages::add)
                .build());
        assertThat(ws.connect()).isSameAs(ws);
        assertThat(ws.isConnected()).isTrue();
        assertThat(connected.await(10, TimeUnit.SECONDS)).isTrue();
        LiveMessage init = messages.poll(10, TimeUnit.SECONDS);
        assertThat(init.type()).isEqualTo("init");
        assertThat(init.data().path("thresholds").path("warning").asDouble()).isEqualTo(70.0);

        String id = UUID.randomUUID().toString();
        server.postEvents(List.of(Loops.event(id, 0, "IDLE", "SESSION_STARTED", "{\"target\":\"t\"}"),
                Loops.event(id, 1, "VALIDATING", "STEP_COMPLETE", "{\"step\":\"validate\",\"result\":\"passed\"}")));
        assertThat(next(events).eventType()).isEqualTo(EventType.SESSION_STARTED);
        Event step = next(events);
        assertThat(step.eventType()).isEqualTo(EventType.STEP_COMPLETE);
        assertThat(step.sessionId()).isEqualTo(id);
        assertThat(step.iteration()).isEqualTo(1);
        assertThat(step.state()).isEqualTo("VALIDATING");
        assertThat(step.data()).containsEntry("result", "passed");
    }

    @Test
    void onConnectComesBeforeWhatTheDashboardPushedWhileTheSubscriptionsWereRestored() throws Exception {
        // The dashboard sends init as the connection opens, before it reads the client's subscribe: that
        // message arrives before the subscriptions are restored, and used to reach onMessage before onConnect.
        BlockingQueue<String> order = new LinkedBlockingQueue<>();
        WebSocketClient ws = track(WebSocketClient.builder(server.wsUrl())
                .subscribe("event")
                .onConnect(c -> order.add("connected"))
                .onMessage(m -> order.add(m.type()))
                .onEvent(e -> order.add(e.eventType().name()))
                .build());
        ws.connect();
        String id = UUID.randomUUID().toString();
        server.postEvents(List.of(Loops.event(id, 0, "IDLE", "SESSION_STARTED", "{}")));

        List<String> seen = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            String next = order.poll(10, TimeUnit.SECONDS);
            assertThat(next).as("hook %d of 3 within 10 s; so far %s", i + 1, seen).isNotNull();
            seen.add(next);
        }
        assertThat(seen).containsExactly("connected", "init", "SESSION_STARTED");
    }

    @Test
    void subscriptionsFilterWhatArrivesAndAcceptUnknownTypes() throws Exception {
        BlockingQueue<Event> events = new LinkedBlockingQueue<>();
        WebSocketClient ws = track(WebSocketClient.builder(server.wsUrl()).onEvent(events::add).build()).connect();
        assertThat(ws.subscribe(EventType.STEP_COMPLETE, EventType.of("CUSTOM_TYPE")).join())
                .containsExactly("CUSTOM_TYPE", "STEP_COMPLETE");

        String id = UUID.randomUUID().toString();
        server.postEvents(List.of(Loops.event(id, 0, "IDLE", "SESSION_STARTED", "{}"),
                Loops.event(id, 1, "DIAGNOSING", "STEP_STARTED", "{\"step\":\"diagnose\"}"),
                Loops.event(id, 1, "DIAGNOSING", "CUSTOM_TYPE", "{}"),
                Loops.event(id, 1, "DIAGNOSING", "STEP_COMPLETE", "{\"step\":\"diagnose\"}")));
        assertThat(next(events).eventType().name()).isEqualTo("CUSTOM_TYPE");
        assertThat(next(events).eventType()).isEqualTo(EventType.STEP_COMPLETE);

        assertThat(ws.subscribe("*").join()).containsExactly("*");
        assertThat(ws.unsubscribe("event").join()).containsExactly("*", "-event");
        server.postEvents(List.of(Loops.event(id, 1, "DIAGNOSING", "STEP_COMPLETE", "{\"step\":\"again\"}")));
        assertThat(ws.ping().join()).isNotNull(); // the event would have been pushed before this reply
        assertThat(events).isEmpty();
    }

    @Test
    void answersRequestsOverTheSocketMatchingEachReplyToItsRequest() {
        String a = UUID.randomUUID().toString();
        String b = UUID.randomUUID().toString();
        server.postEvents(Loops.converged(a));
        server.postEvents(List.of(Loops.event(b, 0, "IDLE", "SESSION_STARTED", "{\"target\":\"b\"}")));
        WebSocketClient ws = track(WebSocketClient.builder(server.wsUrl()).build()).connect();

        List<CompletableFuture<SessionPage>> pages = new ArrayList<>();
        List<CompletableFuture<Session>> sessions = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            pages.add(ws.listSessions(1 + i % 2, 0));
            sessions.add(ws.getSession(i % 2 == 0 ? a : b));
        }
        CompletableFuture<Instant> pong = ws.ping();
        CompletableFuture<Session> missing = ws.getSession("no-such-session");
        CompletableFuture<SessionPage> convergence = ws.listSessions(10, 0, "convergence");
        for (int i = 0; i < 6; i++) {
            SessionPage page = pages.get(i).join();
            assertThat(page.limit()).isEqualTo(1 + i % 2);
            assertThat(page.sessions()).hasSize(1 + i % 2);
            assertThat(page.total()).isEqualTo(2);
            assertThat(sessions.get(i).join().sessionId()).isEqualTo(i % 2 == 0 ? a : b);
        }
        assertThat(sessions.get(0).join().metrics().totalFindings()).isEqualTo(3);
        assertThat(pong.join()).isBefore(Instant.now().plusSeconds(5));
        assertThatThrownBy(missing::join).isInstanceOf(CompletionException.class).cause()
                .isInstanceOfSatisfying(SessionNotFoundException.class, e -> {
                    assertThat(e.sessionId()).isEqualTo("no-such-session");
                    assertThat(e.errorCode()).isEqualTo("session_not_found");
                });
        assertThat(convergence.join().total()).isEqualTo(2);
        assertThatThrownBy(() -> ws.listSessions(10, 0, "weird").join()).cause()
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.errorCode()).isEqualTo("invalid_request"));
    }

    /** A listener with all its methods, as seed 002's subclass had hooks. */
    static final class Recorder implements WebSocketListener {
        final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
        final BlockingQueue<Disconnect> disconnects = new LinkedBlockingQueue<>();
        final AtomicInteger connects = new AtomicInteger();
        final BlockingQueue<Integer> connected = new LinkedBlockingQueue<>();

        @Override
        public void onConnect(WebSocketClient client) {
            if (connects.get() == 0) {
                client.subscribe("STEP_COMPLETE").join(); // calling the client from a listener is allowed
            }
            connected.add(connects.incrementAndGet());
        }

        @Override
        public void onEvent(Event event) {
            events.add(event);
        }

        @Override
        public void onDisconnect(Disconnect disconnect) {
            disconnects.add(disconnect);
        }
    }

    @Test
    void reconnectsAfterARestartAndRestoresItsSubscriptions() throws Exception {
        Recorder recorder = new Recorder();
        WebSocketClient ws = track(WebSocketClient.builder(server.wsUrl()).listener(recorder)
                .reconnectBackoff(Duration.ofMillis(50), Duration.ofMillis(300)).build());
        ws.connect();
        assertThat(recorder.connected.poll(10, TimeUnit.SECONDS)).isEqualTo(1);

        int port = server.port();
        server.stop();
        Disconnect d = recorder.disconnects.poll(10, TimeUnit.SECONDS);
        assertThat(d).isNotNull();
        assertThat(d.willReconnect()).isTrue();
        assertThatThrownBy(() -> ws.listSessions(10, 0).join()).cause()
                .isInstanceOf(DashboardConnectionException.class);
        refuseConnections(port, 3); // a few failed attempts while it is down

        server.restart();
        assertThat(recorder.connected.poll(15, TimeUnit.SECONDS)).as("reconnected").isEqualTo(2);
        assertThat(ws.isConnected()).isTrue();

        String id = UUID.randomUUID().toString();
        server.postEvents(List.of(Loops.event(id, 0, "IDLE", "SESSION_STARTED", "{}"),
                Loops.event(id, 1, "DIAGNOSING", "STEP_STARTED", "{\"step\":\"diagnose\"}"),
                Loops.event(id, 1, "DIAGNOSING", "STEP_COMPLETE", "{\"step\":\"diagnose\"}")));
        Event e = next(recorder.events);
        assertThat(e.eventType()).isEqualTo(EventType.STEP_COMPLETE);
        assertThat(e.sessionId()).isEqualTo(id);
        assertThat(ws.listSessions(10, 0).join().total()).isEqualTo(1);
        assertThat(recorder.events).isEmpty();
    }

    /**
     * Listens on {@code port} while the dashboard is down and hangs up on the first {@code attempts} connections
     * (each a failed reconnection attempt of the client), waiting for each at most 10 s.
     */
    private static void refuseConnections(int port, int attempts) throws IOException {
        try (ServerSocket refuser = new ServerSocket()) {
            refuser.setReuseAddress(true);
            refuser.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            refuser.setSoTimeout(10_000);
            for (int i = 0; i < attempts; i++) {
                refuser.accept().close();
            }
        }
    }

    @Test
    void connectingToAServerThatIsDownFails() {
        WebSocketClient ws = track(WebSocketClient.builder("ws://127.0.0.1:" + KimiServerExtension.unusedPort())
                .connectTimeout(Duration.ofSeconds(2)).build());
        assertThatThrownBy(ws::connect).isInstanceOf(DashboardConnectionException.class)
                .hasMessageContaining("cannot connect");
        assertThat(ws.isConnected()).isFalse();
        assertThatThrownBy(() -> ws.ping().join()).cause().isInstanceOf(DashboardConnectionException.class)
                .hasMessageContaining("not connected");
    }

    @Test
    void closeReleasesRunForeverAndReportsTheDisconnect() throws Exception {
        BlockingQueue<Disconnect> disconnects = new LinkedBlockingQueue<>();
        WebSocketClient ws = track(WebSocketClient.builder(server.wsUrl()).onDisconnect(disconnects::add).build());
        ws.connect();
        CountDownLatch returned = new CountDownLatch(1);
        Thread runner = new Thread(() -> {
            try {
                ws.runForever();
                returned.countDown();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        runner.start();
        assertThat(returned.await(200, TimeUnit.MILLISECONDS)).isFalse();
        ws.close();
        assertThat(returned.await(10, TimeUnit.SECONDS)).isTrue();
        Disconnect d = disconnects.poll(10, TimeUnit.SECONDS);
        assertThat(d.statusCode()).isEqualTo(1000);
        assertThat(d.willReconnect()).isFalse();
        assertThatThrownBy(ws::connect).isInstanceOf(IllegalStateException.class);
        ws.close(); // idempotent
    }

    @Test
    void withoutReconnectionALostConnectionEndsTheClient() throws Exception {
        WebSocketClient ws = track(WebSocketClient.builder(server.wsUrl()).reconnect(false).build()).connect();
        server.stop();
        assertThat(ws.awaitClosed(Duration.ofSeconds(10))).isTrue();
        server.restart();
    }

    @Test
    void aThrowingHookDoesNotStopLaterEvents() throws Exception {
        List<String> seen = new CopyOnWriteArrayList<>();
        CountDownLatch two = new CountDownLatch(2);
        WebSocketClient ws = track(WebSocketClient.builder(server.wsUrl()).subscribe("event")
                .heartbeatInterval(Duration.ofMillis(100))
                .onEvent(e -> {
                    seen.add(e.eventType().name());
                    two.countDown();
                    throw new IllegalStateException("a broken hook");
                }).build()).connect();
        Thread.sleep(350); // a few heartbeats go by (their pongs are replies, which no listener sees)
        String id = UUID.randomUUID().toString();
        server.postEvents(List.of(Loops.event(id, 0, "IDLE", "SESSION_STARTED", "{}"),
                Loops.event(id, 1, "IDLE", "ITERATION_STARTED", "{}")));
        assertThat(two.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(seen).containsExactly("SESSION_STARTED", "ITERATION_STARTED");
        assertThat(ws.isConnected()).isTrue();
    }

    @Test
    void everyListenerHearsEachMessageInTheOrderAddedEvenAfterOneThrows() throws Exception {
        BlockingQueue<String> heard = new LinkedBlockingQueue<>();
        WebSocketListener broken = new WebSocketListener() {
            @Override
            public void onMessage(LiveMessage message) {
                heard.add("broken:" + message.type());
                throw new IllegalStateException("a broken listener");
            }
        };
        WebSocketClient ws = track(WebSocketClient.builder(server.wsUrl())
                .onMessage(m -> heard.add("first:" + m.type()))
                .listener(broken)
                .onMessage(m -> heard.add("last:" + m.type()))
                .build()).connect();
        List<String> seen = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            String next = heard.poll(10, TimeUnit.SECONDS);
            assertThat(next).as("call %d of 3 within 10 s; so far %s", i + 1, seen).isNotNull();
            seen.add(next);
        }
        assertThat(seen).containsExactly("first:init", "broken:init", "last:init");
        assertThat(ws.ping().join()).isNotNull();
    }

    @Test
    void validatesItsArguments() {
        assertThatThrownBy(() -> WebSocketClient.builder("ftp://x")).isInstanceOf(IllegalArgumentException.class);
        assertThat(WebSocketClient.builder("http://127.0.0.1:8766").build().uri().toString())
                .isEqualTo("ws://127.0.0.1:8766/ws");
        WebSocketClient ws = track(WebSocketClient.builder(server.wsUrl()).build());
        assertThatThrownBy(() -> ws.subscribe(List.of())).isInstanceOf(IllegalArgumentException.class);
        assertThat(ws.subscribe("metric").join()).containsExactly("metric"); // recorded until connected
    }
}
