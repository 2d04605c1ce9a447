package io.kimi.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class UsageTest {

  @Test
  void totalIsPromptPlusCompletion() {
    assertThat(new Usage(10, 5, 4).totalTokens()).isEqualTo(15);
    assertThat(Usage.of(3, 4)).isEqualTo(new Usage(3, 4, 0));
  }

  @Test
  void refusesNegativeCountsAndMoreCachedThanPromptTokens() {
    assertThatThrownBy(() -> new Usage(-1, 0, 0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Usage(0, -1, 0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Usage(2, 0, 3))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("cachedTokens: 3 (expected: 0-2)");
  }
}
