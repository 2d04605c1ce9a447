package io.kimi.services.internal.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class ElapsedTest {
    @Test
    void measuresSecondsWithTheirFraction() {
        Instant start = Instant.parse("2024-01-15T10:30:00Z");

        assertThat(Elapsed.seconds(start, start.plusMillis(1_500))).isEqualTo(1.5);
        assertThat(Elapsed.seconds(start.plusMillis(1_500), start)).isEqualTo(-1.5);
        assertThat(Elapsed.seconds(start, start.plusNanos(999_999_999).plusSeconds(2))).isCloseTo(3.0, within(1e-9));
    }

    @Test
    void spansTheWholeRangeOfInstantsWithoutOverflowing() {
        double seconds = Elapsed.seconds(Instant.MIN, Instant.MAX);

        assertThat(seconds).isCloseTo((double) Instant.MAX.getEpochSecond() - Instant.MIN.getEpochSecond(),
                within(1.0));
        assertThat(seconds).isGreaterThan(Duration.ofDays(365L * 1_900_000_000L).toSeconds());
    }
}
