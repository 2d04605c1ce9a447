package io.kimi.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.kimi.config.ConfigLoader;
import io.kimi.config.ConfigOverrides;
import io.kimi.config.KimiConfig;
import io.kimi.core.Event;
import io.kimi.core.IterationStats;
import io.kimi.core.RequestRecord;
import io.kimi.core.Session;
import io.kimi.core.StepStats;
import io.kimi.core.store.Page;
import io.kimi.core.store.sqlite.SqliteStore;
import io.kimi.testing.FakeUpstream;
import io.kimi.testing.PrometheusText;
import io.kimi.testing.RecordedRequest;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Queue;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Crash consistency with a real {@code kill -9}: a server in a child JVM ({@link CrashChild}, real SQLite file,
 * providers pointing at a {@link FakeUpstream} in this JVM) takes batched {@code POST /api/events} for a few
 * convergence sessions and chat completions at the same time; once enough of both were answered, the child is
 * killed with SIGKILL ({@link Process#destroyForcibly()} on Linux). A server is then started on the same file
 * (it must report the requests it found pending as interrupted) and, once it stopped, the database is compared
 * with what the clients and the fake provider saw:
 * <ul>
 *   <li>every acknowledged event is stored;</li>
 *   <li>each convergence session's aggregate (iteration, state, findings, iterations and steps) equals what its
 *       stored events make, computed here independently;</li>
 *   <li>every call the fake provider received has a request record (completed, or {@code interrupted});</li>
 *   <li>every session has at least as many records as its requests answered 200, and its stored totals count
 *       exactly its records.</li>
 * </ul>
 * Rounds ({@code -Dkimi.crash.rounds}, default 2) kill at different points; the figures of each are printed.
 */
class CrashConsistencyTest {
    private static final int ROUNDS = Integer.getInteger("kimi.crash.rounds", 2);
    private static final int LOOP_SESSIONS = 4;
    private static final int PROXY_CLIENTS = 4;
    private static final int EVENTS_PER_BATCH = 8;
    /** Most iterations one simulated loop sends (4 events each): far more than a round reaches before the kill. */
    private static final int MAX_ITERATIONS = 5_000;
    /** Most chat completions one client sends: far more than a round reaches before the kill. */
    private static final int MAX_CHATS = 20_000;
    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);
    private static final Duration LOAD_TIMEOUT = Duration.ofSeconds(120);
    private static final String API_KEY = "sk-crash-test-0123456789abcdef";

    @TempDir
    Path dir;

    @Test
    void afterKillNineAcknowledgedEventsUpstreamCallsAndAggregatesAreAllStored() throws Exception {
        List<Figures> rounds = new ArrayList<>();
        for (int round = 0; round < ROUNDS; round++) {
            Figures figures = runRound(round);
            rounds.add(figures);
            System.out.println("[crash round " + round + "] " + figures);
        }
        for (Figures f : rounds) {
            assertThat(f.eventsAcknowledged()).as("events acknowledged before the kill").isPositive();
            assertThat(f.chatsAnswered()).as("chat completions answered 200 before the kill").isPositive();
            assertThat(f.acknowledgedMissing()).as("acknowledged events missing: %s", f).isEmpty();
            assertThat(f.inconsistentSessions()).as("sessions whose aggregate is not their events': %s", f)
                    .isEmpty();
            assertThat(f.untracedUpstreamCalls()).as("upstream calls without a record: %s", f).isEmpty();
            assertThat(f.answeredWithoutRecord()).as("200s without a record: %s", f).isZero();
            assertThat(f.sessionsWithWrongTotals()).as("proxy sessions whose totals miss records: %s", f)
                    .isEmpty();
        }
    }

    /** What one round saw. */
    record Figures(int eventsAcknowledged, int eventsStored, List<String> acknowledgedMissing,
            List<String> inconsistentSessions, int chatsAnswered, int upstreamCalls, int requestRecords,
            int interrupted, List<String> untracedUpstreamCalls, int answeredWithoutRecord,
            List<String> sessionsWithWrongTotals) {
        @Override
        public String toString() {
            return "events acknowledged " + eventsAcknowledged + ", stored " + eventsStored + ", acknowledged but"
                    + " missing " + acknowledgedMissing.size() + "; convergence sessions inconsistent "
                    + inconsistentSessions.size() + " of " + LOOP_SESSIONS + " " + inconsistentSessions
                    + "; chats answered 200: " + chatsAnswered + ", upstream calls " + upstreamCalls
                    + ", request records " + requestRecords + " (interrupted " + interrupted + "), upstream calls"
                    + " without a record " + untracedUpstreamCalls.size() + ", 200s without a record "
                    + answeredWithoutRecord + ", proxy sessions with totals off " + sessionsWithWrongTotals;
        }
    }

    private Figures runRound(int round) throws Exception {
        Path roundDir = Files.createDirectories(dir.resolve("round-" + round));
        Path db = roundDir.resolve("dashboard.db");
        try (FakeUpstream fake = FakeUpstream.start()) {
            Path config = writeConfig(roundDir, db, fake.baseUrl());
            Process child = startChild(config, roundDir.resolve("child.log"));
            Load load;
            try {
                int port = awaitPort(child, roundDir.resolve("child.log"));
                load = new Load(URI.create("http://127.0.0.1:" + port), round);
                load.start();
                // Kill at a point reached by traffic, a different one each round.
                try {
                    load.awaitProgress(150 + 200 * round, 40 + 60 * round, LOAD_TIMEOUT);
                } catch (AssertionError e) {
                    throw new AssertionError(e.getMessage() + "; unexpected answers " + load.unexpected
                            + "; the child's output:\n" + tail(roundDir.resolve("child.log")), e);
                }
            } finally {
                child.destroyForcibly();
                assertThat(child.waitFor(30, TimeUnit.SECONDS)).as("the child JVM died").isTrue();
            }
            load.stopAndJoin();
            assertThat(load.unexpected).as("answers other than 200 before the kill").isEmpty();
            List<String> received = new ArrayList<>();
            for (RecordedRequest r : fake.requests()) {
                if (r.path().endsWith("/chat/completions")) {
                    received.add(r.header("x-request-id"));
                }
            }
            // Started again on the same file, the server stores what was pending as interrupted and says so.
            double interruptedReported = interruptedReportedByRestartedServer(config);
            try (SqliteStore store = SqliteStore.open(db, Clock.systemUTC())) {
                Figures figures = compare(store, load, received);
                assertThat(interruptedReported).as("kimi_requests_interrupted_total after the restart")
                        .isEqualTo(figures.interrupted());
                return figures;
            }
        }
    }

    // ---- the comparison --------------------------------------------------------------------------------------

    private static Figures compare(SqliteStore store, Load load, List<String> upstreamIds) {
        int stored = 0;
        List<String> missing = new ArrayList<>();
        List<String> inconsistent = new ArrayList<>();
        for (String sessionId : load.loopSessions) {
            List<Event> events = all(p -> store.listEvents(sessionId, 1000, p));
            stored += events.size();
            Set<String> ids = new HashSet<>();
            events.forEach(e -> ids.add(e.eventId()));
            load.acknowledged.stream().filter(id -> id.startsWith(sessionId + "/") && !ids.contains(id))
                    .forEach(missing::add);
            if (!events.isEmpty()) {
                String problem = aggregateProblem(store, sessionId, events);
                if (problem != null) {
                    inconsistent.add(sessionId + ": " + problem);
                }
            }
        }
        Set<String> recordIds = new HashSet<>();
        int records = 0;
        int interrupted = 0;
        int answeredWithoutRecord = 0;
        List<String> wrongTotals = new ArrayList<>();
        for (String sessionId : load.proxySessions) {
            List<RequestRecord> rows = all(p -> store.listRequests(sessionId, 1000, p));
            records += rows.size();
            for (RequestRecord r : rows) {
                recordIds.add(r.requestId());
                if (r.status().wireName().equals("interrupted")) {
                    interrupted++;
                }
            }
            int answered = load.answered.getOrDefault(sessionId, new AtomicInteger()).get();
            answeredWithoutRecord += Math.max(0, answered - rows.size());
            Session session = store.findSession(sessionId).orElse(null);
            long counted = session == null ? 0 : session.totals().requests();
            if (counted != rows.size()) {
                wrongTotals.add(sessionId + " counts " + counted + " requests, has " + rows.size() + " records");
            }
        }
        List<String> untraced = upstreamIds.stream().filter(id -> !recordIds.contains(id)).toList();
        return new Figures(load.acknowledged.size(), stored, missing, inconsistent, load.totalAnswered.get(),
                upstreamIds.size(), records, interrupted, untraced, answeredWithoutRecord, wrongTotals);
    }

    /**
     * Compares the stored aggregate with what the stored events make under the rules of docs/convergence.md, for
     * the events this test sends; null when they agree.
     */
    private static String aggregateProblem(SqliteStore store, String sessionId, List<Event> events) {
        int maxIteration = 0;
        String state = null;
        Map<Integer, Long> findings = new TreeMap<>();
        Map<String, String> steps = new TreeMap<>();
        for (Event e : events) {
            maxIteration = Math.max(maxIteration, e.iteration());
            if (e.state() != null) {
                state = e.state();
            }
            switch (e.eventType()) {
                case "ITERATION_STARTED" -> findings.putIfAbsent(e.iteration(), 0L);
                case "ITERATION_ENDED" -> findings.put(e.iteration(), findingsOf(e.iteration()));
                case "STEP_STARTED" -> steps.putIfAbsent(e.iteration() + "/diagnose", "started");
                case "STEP_COMPLETE" -> steps.put(e.iteration() + "/diagnose", "complete");
                default -> {
                }
            }
        }
        Session session = store.findSession(sessionId).orElse(null);
        if (session == null) {
            return "no session row for " + events.size() + " events";
        }
        Map<Integer, Long> storedFindings = new TreeMap<>();
        for (IterationStats it : store.listIterations(sessionId)) {
            storedFindings.put(it.iteration(), it.findings().total());
        }
        Map<String, String> storedSteps = new TreeMap<>();
        for (StepStats st : store.listSteps(sessionId)) {
            storedSteps.put(st.iteration() + "/" + st.step(), st.status());
        }
        long total = findings.values().stream().mapToLong(Long::longValue).sum();
        List<String> problems = new ArrayList<>();
        if (session.currentIteration() != maxIteration) {
            problems.add("current_iteration " + session.currentIteration() + ", events reach " + maxIteration);
        }
        if (!Objects.equals(session.currentState(), state)) {
            problems.add("current_state " + session.currentState() + ", events say " + state);
        }
        if (session.convergence().totalFindings() != total) {
            problems.add("total_findings " + session.convergence().totalFindings() + ", events say " + total);
        }
        if (!storedFindings.equals(findings)) {
            problems.add(storedFindings.size() + " iteration rows, events make " + findings.size());
        }
        if (!storedSteps.equals(steps)) {
            problems.add(storedSteps.size() + " step rows, events make " + steps.size());
        }
        return problems.isEmpty() ? null : String.join("; ", problems);
    }

    private static long findingsOf(int iteration) {
        return iteration % 4 + 1;
    }

    private static <T> List<T> all(Function<Integer, Page<T>> page) {
        List<T> items = new ArrayList<>();
        while (true) {
            Page<T> p = page.apply(items.size());
            items.addAll(p.items());
            if (p.items().isEmpty() || items.size() >= p.total()) {
                return items;
            }
        }
    }

    private static double interruptedReportedByRestartedServer(Path config) throws IOException {
        KimiConfig loaded = new ConfigLoader(Map.of("FAKE_API_KEY", API_KEY))
                .load(new ConfigOverrides(config, null, null, null));
        try (KimiServer server = KimiServer.builder().config(loaded).build().start()) {
            HttpResponse<String> metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create(server.baseUri() + "/metrics")).timeout(Duration.ofSeconds(60)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(metrics.statusCode()).isEqualTo(200);
            return PrometheusText.parse(metrics.body()).value("kimi_requests_interrupted_total", Map.of());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String tail(Path log) throws IOException {
        List<String> lines = Files.readAllLines(log);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    }

    // ---- the child JVM ---------------------------------------------------------------------------------------

    private static Path writeConfig(Path roundDir, Path db, String fakeBaseUrl) throws IOException {
        String toml = String.join("\n",
                "[server]",
                "host = \"127.0.0.1\"",
                "port = 0",
                "db_path = \"" + db.toString().replace("\\", "/") + "\"",
                "",
                "[providers.fake]",
                "type = \"kimi\"",
                "base_url = \"" + fakeBaseUrl + "\"",
                "api_key = \"${FAKE_API_KEY}\"",
                "connect_timeout_ms = 2000",
                "read_timeout_ms = 60000",
                "",
                "[models.\"kimi-k2\"]",
                "provider = \"fake\"",
                "model = \"kimi-k2-0905-preview\"",
                "context_window = 262144",
                "input_price = 0.60",
                "output_price = 2.50",
                "",
                "[convergence]",
                "url = \"off\"",
                "");
        Path file = roundDir.resolve("config.toml");
        Files.writeString(file, toml);
        return file;
    }

    /** The test's own class path (surefire puts it in {@code java.class.path}) and the JVM running the test. */
    private static Process startChild(Path config, Path log) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder builder = new ProcessBuilder(java, "-Xmx256m", "-XX:+UseSerialGC",
                "-cp", System.getProperty("java.class.path"), CrashChild.class.getName(), config.toString());
        builder.environment().put("FAKE_API_KEY", API_KEY);
        builder.redirectErrorStream(true);
        Process child = builder.start();
        Files.writeString(log, "");
        return child;
    }

    /** Reads the child's output (copied to {@code log}) until its port line; the copying goes on until it dies. */
    private static int awaitPort(Process child, Path log) throws Exception {
        CompletableFuture<Integer> port = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(child.getInputStream(),
                    StandardCharsets.UTF_8)); PrintWriter out = new PrintWriter(Files.newBufferedWriter(log), true)) {
                String line;
                while ((line = in.readLine()) != null) {
                    out.println(line);
                    if (line.startsWith(CrashChild.PORT_LINE)) {
                        port.complete(Integer.parseInt(line.substring(CrashChild.PORT_LINE.length()).trim()));
                    }
                }
            } catch (IOException e) {
                port.completeExceptionally(e);
            }
            port.completeExceptionally(new IllegalStateException("the child exited before listening; see " + log));
        }, "crash-child-output");
        reader.setDaemon(true);
        reader.start();
        return port.get(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    }

    // ---- the load --------------------------------------------------------------------------------------------

    /** Simulated loops posting event batches and clients sending chat completions, until the server dies. */
    private static final class Load {
        final URI base;
        final List<String> loopSessions = new ArrayList<>();
        final List<String> proxySessions = new ArrayList<>();
        final Set<String> acknowledged = ConcurrentHashMap.newKeySet();
        final Map<String, AtomicInteger> answered = new ConcurrentHashMap<>();
        final AtomicInteger totalAnswered = new AtomicInteger();
        /** Answers other than 200 while the server was up: none is expected. */
        final Queue<String> unexpected = new ConcurrentLinkedQueue<>();
        private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
        private final ExecutorService threads = Executors.newFixedThreadPool(LOOP_SESSIONS + PROXY_CLIENTS);
        private final Object progress = new Object();
        private final Instant t0 = Instant.now();

        Load(URI base, int round) {
            this.base = base;
            for (int i = 0; i < LOOP_SESSIONS; i++) {
                loopSessions.add("crash-loop-" + round + "-" + i);
            }
            for (int i = 0; i < PROXY_CLIENTS; i++) {
                proxySessions.add("crash-proxy-" + round + "-" + i);
            }
        }

        void start() {
            // One answered request per client first: every proxy session exists before the kill can come.
            for (String s : proxySessions) {
                assertThat(chat(s)).as("first chat completion of " + s + ": " + unexpected).isTrue();
            }
            loopSessions.forEach(s -> threads.execute(() -> runLoop(s)));
            proxySessions.forEach(s -> threads.execute(() -> runClient(s)));
        }

        /** Waits (bounded) until at least this many events were acknowledged and chats answered 200. */
        void awaitProgress(int events, int chats, Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            synchronized (progress) {
                while (acknowledged.size() < events || totalAnswered.get() < chats) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        throw new AssertionError("no progress in " + timeout + ": " + acknowledged.size()
                                + " events acknowledged, " + totalAnswered.get() + " chats answered");
                    }
                    progress.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
                }
            }
        }

        /** Once the server is dead every client fails and stops; bounded wait for them. */
        void stopAndJoin() throws InterruptedException {
            threads.shutdown();
            assertThat(threads.awaitTermination(60, TimeUnit.SECONDS)).as("load threads stopped").isTrue();
        }

        private void madeProgress() {
            synchronized (progress) {
                progress.notifyAll();
            }
        }

        private void runLoop(String sessionId) {
            List<String> batch = new ArrayList<>();
            List<String> ids = new ArrayList<>();
            int seq = 0;
            for (int iteration = 1; iteration <= MAX_ITERATIONS; iteration++) {
                if (iteration == 1) {
                    seq = add(batch, ids, sessionId, seq, 0, "IDLE", "SESSION_STARTED", "{\"target\":\"crash\"}");
                }
                seq = add(batch, ids, sessionId, seq, iteration, "DIAGNOSING", "ITERATION_STARTED", "{}");
                seq = add(batch, ids, sessionId, seq, iteration, "DIAGNOSING", "STEP_STARTED",
                        "{\"step\":\"diagnose\"}");
                seq = add(batch, ids, sessionId, seq, iteration, "DIAGNOSING", "STEP_COMPLETE",
                        "{\"step\":\"diagnose\",\"duration_seconds\":0.5}");
                seq = add(batch, ids, sessionId, seq, iteration, "VALIDATING", "ITERATION_ENDED",
                        "{\"findings\":{\"high\":" + (iteration % 4) + ",\"low\":1}}");
                if (batch.size() >= EVENTS_PER_BATCH) {
                    if (!post("/api/events", "[" + String.join(",", batch) + "]", null)) {
                        return;
                    }
                    acknowledged.addAll(ids);
                    madeProgress();
                    batch.clear();
                    ids.clear();
                }
            }
        }

        private int add(List<String> batch, List<String> ids, String sessionId, int seq, int iteration,
                String state, String type, String data) {
            String id = sessionId + "/" + seq;
            batch.add("{\"event_id\":\"" + id + "\",\"session_id\":\"" + sessionId + "\",\"timestamp\":\""
                    + t0.plusMillis(seq) + "\",\"iteration\":" + iteration + ",\"state\":\"" + state
                    + "\",\"event_type\":\"" + type + "\",\"data\":" + data + "}");
            ids.add(id);
            return seq + 1;
        }

        private void runClient(String sessionId) {
            for (int i = 0; i < MAX_CHATS; i++) {
                if (!chat(sessionId)) {
                    return;
                }
            }
        }

        private boolean chat(String sessionId) {
            String body = "{\"model\":\"kimi-k2\",\"messages\":[{\"role\":\"user\",\"content\":\"Say hello.\"}]}";
            if (!post("/v1/chat/completions", body, sessionId)) {
                return false;
            }
            answered.computeIfAbsent(sessionId, k -> new AtomicInteger()).incrementAndGet();
            totalAnswered.incrementAndGet();
            madeProgress();
            return true;
        }

        /** Whether the server answered 200 with a whole body; false once it is unreachable. */
        private boolean post(String path, String body, String sessionId) {
            HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path))
                    .timeout(Duration.ofSeconds(90))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body));
            if (sessionId != null) {
                request.header("X-Session-Id", sessionId);
            }
            try {
                HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() != 200) {
                    unexpected.add(path + " answered " + response.statusCode() + ": " + response.body());
                    return false;
                }
                return true;
            } catch (IOException e) {
                return false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
    }
}
