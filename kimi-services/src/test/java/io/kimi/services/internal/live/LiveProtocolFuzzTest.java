package io.kimi.services.internal.live;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kimi.services.internal.ServicesRig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Fuzzes the WebSocket actions ({@link LiveProtocol#handle}) with what a dashboard client sends: each line of
 * the input is one message, all from the same client. The store holds one proxy session. Oracle: every
 * message gets, within the timeout, one JSON reply of type {@code pong}, {@code response} (naming the action)
 * or {@code error} with one of the documented codes (never {@code internal_error}: bad input is the client's
 * error), echoing the message's {@code request_id} when it is a valid one; after a successful {@code subscribe} every name listed is wanted, after {@code unsubscribe} none is.
 * Corpus: {@code src/test/resources/io/kimi/services/internal/live/LiveProtocolFuzzTestInputs/}.
 */
class LiveProtocolFuzzTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> CLIENT_ERRORS = Set.of("invalid_json", "invalid_message", "missing_action",
            "unknown_action", "invalid_events", "invalid_request", "session_not_found", "invalid_request_id");
    private static final int MAX_MESSAGES = 8;

    @RegisterExtension
    static final ServicesRig rig = new ServicesRig();

    @BeforeAll
    static void storeOneSession() throws Exception {
        rig.sessions().resolve(null, rig.router().resolve("m"));
        rig.accountant().sync().get(10, TimeUnit.SECONDS);
    }

    @FuzzTest(maxDuration = "3m")
    void everyMessageGetsOneWellFormedReply(byte[] input) throws Exception {
        Subscriptions subscriptions = new Subscriptions();
        String[] lines = new String(input, StandardCharsets.UTF_8).split("\n", MAX_MESSAGES);
        for (String message : lines) {
            String reply = rig.live().handle(message, subscriptions).get(20, TimeUnit.SECONDS);

            JsonNode n = JSON.readTree(reply);
            String type = n.path("type").asText();
            assertThat(type).as("reply to %s: %s", message, reply).isIn("pong", "response", "error");
            checkRequestId(message, n);
            if (type.equals("error")) {
                assertThat(n.path("code").asText()).as("reply to %s: %s", message, reply).isIn(CLIENT_ERRORS);
                assertThat(n.path("message").asText()).isNotBlank();
                continue;
            }
            if (type.equals("response")) {
                String action = n.path("request_action").asText();
                assertThat(JSON.readTree(message).path("action").asText()).isEqualTo(action);
                checkSubscriptions(action, JSON.readTree(message).get("events"), subscriptions);
            }
        }
    }

    /** A valid {@code request_id} is echoed; an invalid one gets {@code invalid_request_id}; none, none. */
    private static void checkRequestId(String message, JsonNode reply) {
        JsonNode sent;
        try {
            sent = JSON.readTree(message).path("request_id");
        } catch (IOException | RuntimeException notJson) {
            assertThat(reply.has("request_id")).as("reply to %s: %s", message, reply).isFalse();
            return;
        }
        if (sent.isMissingNode() || sent.isNull()) {
            assertThat(reply.has("request_id")).as("reply to %s: %s", message, reply).isFalse();
        } else if (RequestIds.problem(sent) == null) {
            assertThat(reply.path("request_id").asText()).as("reply to %s: %s", message, reply)
                    .isEqualTo(sent.asText());
        } else {
            assertThat(reply.path("code").asText()).as("reply to %s: %s", message, reply)
                    .isEqualTo("invalid_request_id");
        }
    }

    private static void checkSubscriptions(String action, JsonNode events, Subscriptions subscriptions) {
        if (!action.equals("subscribe") && !action.equals("unsubscribe")) {
            return;
        }
        List<String> names = new ArrayList<>();
        if (events.isArray()) {
            events.forEach(e -> names.add(e.asText()));
        } else {
            names.add(events.asText());
        }
        boolean subscribed = action.equals("subscribe");
        for (String name : names) {
            assertThat(subscriptions.wants(name, name)).as("%s %s: wants %s", action, names, name)
                    .isEqualTo(subscribed);
        }
    }
}
