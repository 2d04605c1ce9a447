package io.kimi.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class SubscriptionRulesTest {
    private final SubscriptionRules rules = new SubscriptionRules();

    @Test
    void aNewConnectionGetsEverythingAndNeedsNoReplay() {
        assertThat(rules.wants("metric", "metric")).isTrue();
        assertThat(rules.replay()).isEmpty();
        assertThat(rules.describe()).containsExactly("*");
    }

    @Test
    void subscribingNarrowsToTheNamesAndReplaysThem() {
        rules.subscribe(List.of("STEP_COMPLETE"));
        assertThat(rules.wants("event", "STEP_COMPLETE")).isTrue();
        assertThat(rules.wants("event", "STEP_FAILED")).isFalse();
        assertThat(rules.replay()).containsExactly(new SubscriptionChange("subscribe", List.of("STEP_COMPLETE")));
    }

    @Test
    void everythingButExcludesAndIsReplayedInTwoChanges() {
        rules.apply(new SubscriptionChange("subscribe", List.of("*")));
        rules.apply(new SubscriptionChange("unsubscribe", List.of("metric")));
        assertThat(rules.wants("metric", "metric")).isFalse();
        assertThat(rules.wants("event", "STEP_COMPLETE")).isTrue();
        assertThat(rules.describe()).containsExactly("*", "-metric");
        assertThat(rules.replay()).containsExactly(new SubscriptionChange("subscribe", List.of("*")),
                new SubscriptionChange("unsubscribe", List.of("metric")));
    }

    @Test
    void unsubscribingEverythingIsReplayedAsSuch() {
        rules.unsubscribe(List.of("*"));
        assertThat(rules.wants("alert", "alert")).isFalse();
        assertThat(rules.replay()).containsExactly(new SubscriptionChange("unsubscribe", List.of("*")));
    }
}
