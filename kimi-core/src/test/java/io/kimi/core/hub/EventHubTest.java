package io.kimi.core.hub;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class EventHubTest {
    private final EventHub hub = new EventHub();

    @Test
    void everyListenerGetsEveryMessageInOrder() {
        List<String> a = new ArrayList<>();
        List<String> b = new ArrayList<>();
        hub.subscribe(m -> a.add(m.json()));
        hub.subscribe(m -> b.add(m.json()));

        hub.publish(new HubMessage("metric", "metric", "1"));
        hub.publish(new HubMessage("event", "STEP_COMPLETE", "2"));

        assertThat(a).containsExactly("1", "2");
        assertThat(b).containsExactly("1", "2");
    }

    @Test
    void aFailingListenerDoesNotStopTheOthers() {
        List<String> got = new ArrayList<>();
        hub.subscribe(m -> {
            throw new IllegalStateException("boom");
        });
        hub.subscribe(m -> got.add(m.json()));

        hub.publish(new HubMessage("alert", "alert", "x"));

        assertThat(got).containsExactly("x");
    }

    @Test
    void closedSubscriptionsReceiveNothing() throws Exception {
        List<String> got = new ArrayList<>();
        AutoCloseable handle = hub.subscribe(m -> got.add(m.json()));

        handle.close();
        hub.publish(new HubMessage("alert", "alert", "x"));

        assertThat(got).isEmpty();
        assertThat(hub.listenerCount()).isZero();
    }
}
