package io.kimi.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class MutableClockTest {

  private static final Instant START = Instant.parse("2025-03-01T10:00:00Z");

  @Test
  void standsStillUntilAdvancedThenMovesByTheGivenDuration() {
    MutableClock clock = new MutableClock(START);

    assertThat(clock.instant()).isEqualTo(START);
    assertThat(clock.millis()).isEqualTo(START.toEpochMilli());

    clock.advance(Duration.ofSeconds(30));
    clock.advance(Duration.ofMillis(-500));

    assertThat(clock.instant()).isEqualTo(START.plusMillis(29_500));
  }

  @Test
  void runsInUtcOnly() {
    MutableClock clock = new MutableClock(START);

    assertThat(clock.getZone()).isEqualTo(ZoneOffset.UTC);
    assertThat(clock.withZone(ZoneId.of("Z"))).isSameAs(clock);
    assertThatThrownBy(() -> clock.withZone(ZoneId.of("Europe/Paris")))
        .isInstanceOf(UnsupportedOperationException.class)
        .hasMessageContaining("Europe/Paris");
  }
}
