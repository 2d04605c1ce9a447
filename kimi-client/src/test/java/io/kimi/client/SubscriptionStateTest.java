package io.kimi.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class SubscriptionStateTest {
    @Test
    void aFreshStateNeedsNothingRestored() {
        assertThat(new SubscriptionState().replay()).isEmpty();
        assertThat(new SubscriptionState().describe()).containsExactly("*");
    }

    @Test
    void namesAreRestoredInOneSubscribe() {
        SubscriptionState s = new SubscriptionState();
        s.subscribe(List.of("STEP_COMPLETE"));
        s.subscribe(List.of("metric"));
        s.unsubscribe(List.of("metric"));
        assertThat(s.replay()).containsExactly(new SubscriptionState.Op("subscribe", List.of("STEP_COMPLETE")));
        assertThat(s.describe()).containsExactly("STEP_COMPLETE");
    }

    @Test
    void everythingButSomeIsRestoredAsStarThenUnsubscribe() {
        SubscriptionState s = new SubscriptionState();
        s.subscribe(List.of("*"));
        s.unsubscribe(List.of("metric", "alert"));
        assertThat(s.replay()).containsExactly(new SubscriptionState.Op("subscribe", List.of("*")),
                new SubscriptionState.Op("unsubscribe", List.of("alert", "metric")));
        assertThat(s.describe()).containsExactly("*", "-alert", "-metric");
    }

    @Test
    void nothingIsRestoredAsUnsubscribeStar() {
        SubscriptionState s = new SubscriptionState();
        s.subscribe(List.of("event"));
        s.unsubscribe(List.of("event"));
        assertThat(s.replay()).containsExactly(new SubscriptionState.Op("unsubscribe", List.of("*")));
        assertThat(s.describe()).isEmpty();
    }

    @Test
    void wantsWhatTheServerWouldSend() {
        SubscriptionState s = new SubscriptionState();
        assertThat(s.wants("metric", "metric")).isTrue();
        s.subscribe(List.of("STEP_COMPLETE"));
        assertThat(s.wants("event", "STEP_COMPLETE")).isTrue();
        assertThat(s.wants("event", "STEP_STARTED")).isFalse();
        assertThat(s.wants("metric", "metric")).isFalse();
        s.subscribe(List.of("*"));
        s.unsubscribe(List.of("event"));
        assertThat(s.wants("event", "STEP_COMPLETE")).isFalse();
        assertThat(s.wants("widget", "widget")).isTrue();
    }
}
