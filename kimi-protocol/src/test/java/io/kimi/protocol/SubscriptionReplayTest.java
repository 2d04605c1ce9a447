package io.kimi.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The rules as kimi-client replays them on a new connection (moved from its former SubscriptionRules). */
class SubscriptionReplayTest {
    @Test
    void aFreshStateNeedsNothingRestored() {
        assertThat(new SubscriptionRules().replay()).isEmpty();
        assertThat(new SubscriptionRules().describe()).containsExactly("*");
    }

    @Test
    void namesAreRestoredInOneSubscribe() {
        SubscriptionRules s = new SubscriptionRules();
        s.subscribe(List.of("STEP_COMPLETE"));
        s.subscribe(List.of("metric"));
        s.unsubscribe(List.of("metric"));
        assertThat(s.replay()).containsExactly(new SubscriptionChange("subscribe", List.of("STEP_COMPLETE")));
        assertThat(s.describe()).containsExactly("STEP_COMPLETE");
    }

    @Test
    void everythingButSomeIsRestoredAsStarThenUnsubscribe() {
        SubscriptionRules s = new SubscriptionRules();
        s.subscribe(List.of("*"));
        s.unsubscribe(List.of("metric", "alert"));
        assertThat(s.replay()).containsExactly(new SubscriptionChange("subscribe", List.of("*")),
                new SubscriptionChange("unsubscribe", List.of("alert", "metric")));
        assertThat(s.describe()).containsExactly("*", "-alert", "-metric");
    }

    @Test
    void nothingIsRestoredAsUnsubscribeStar() {
        SubscriptionRules s = new SubscriptionRules();
        s.subscribe(List.of("event"));
        s.unsubscribe(List.of("event"));
        assertThat(s.replay()).containsExactly(new SubscriptionChange("unsubscribe", List.of("*")));
        assertThat(s.describe()).isEmpty();
    }

    @Test
    void wantsWhatTheServerWouldSend() {
        SubscriptionRules s = new SubscriptionRules();
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
