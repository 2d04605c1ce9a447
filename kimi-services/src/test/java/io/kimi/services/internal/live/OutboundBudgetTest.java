package io.kimi.services.internal.live;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class OutboundBudgetTest {
    private final OutboundBudget budget = new OutboundBudget(1000);

    @Test
    void reservationsUpToTheLimitAreCounted() {
        assertThat(budget.tryReserve(600)).isTrue();
        assertThat(budget.tryReserve(400)).isTrue();

        assertThat(budget.queuedBytes()).isEqualTo(1000);
        assertThat(budget.limitBytes()).isEqualTo(1000);
    }

    @Test
    void aReservationPastTheLimitIsRefusedAndNothingIsCounted() {
        budget.tryReserve(900);

        assertThat(budget.tryReserve(101)).isFalse();
        assertThat(budget.queuedBytes()).isEqualTo(900);
    }

    @Test
    void releasedBytesMakeRoomAgain() {
        budget.tryReserve(1000);
        assertThat(budget.tryReserve(1)).isFalse();

        budget.release(500);

        assertThat(budget.tryReserve(1)).isTrue();
        assertThat(budget.queuedBytes()).isEqualTo(501);
    }

    @Test
    void theLimitMustBePositive() {
        assertThatThrownBy(() -> new OutboundBudget(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("limitBytes: 0 (expected: >= 1)");
    }
}
