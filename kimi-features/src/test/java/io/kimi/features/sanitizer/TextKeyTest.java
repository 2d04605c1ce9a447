package io.kimi.features.sanitizer;

import static org.assertj.core.api.Assertions.assertThat;

import io.kimi.core.SampledHash;
import org.junit.jupiter.api.Test;

class TextKeyTest {

    @Test
    void equalTextsAreEqualKeysWhateverTheInstance() {
        String a = "x".repeat(10_000) + "tail";
        String b = new StringBuilder(a).toString();
        assertThat(new TextKey(a)).isEqualTo(new TextKey(b)).hasSameHashCodeAs(new TextKey(b));
    }

    @Test
    void textsThatDifferOnlyOutsideTheSampleAreStillDifferentKeys() {
        StringBuilder base = new StringBuilder("y".repeat(100_000));
        String a = base.toString();
        base.setCharAt(12_345, 'z');
        String b = base.toString();
        assertThat(SampledHash.of(a)).isEqualTo(SampledHash.of(b));
        assertThat(new TextKey(a)).isNotEqualTo(new TextKey(b));
    }

    @Test
    void shortTextsHashWhole() {
        assertThat(SampledHash.of("abc")).isEqualTo("abc".hashCode());
    }
}
