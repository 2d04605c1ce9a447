package io.kimi.features.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import org.junit.jupiter.api.Test;

class PathReadingsTest {

    @Test
    void aPlainPathHasOneReading() {
        assertThat(PathReadings.of("src/Main.java")).contains(Set.of("src/Main.java"));
    }

    @Test
    void decodingIsRepeatedUntilNothingChanges() {
        assertThat(PathReadings.of("%252e%252e")).hasValueSatisfying(
                readings -> assertThat(readings).containsExactlyInAnyOrder("%252e%252e", "%2e%2e", ".."));
    }

    @Test
    void nfkcAndBackslashReadingsAreIncluded() {
        assertThat(PathReadings.of("\uff0e\uff0e\\x")).hasValueSatisfying(readings -> assertThat(readings)
                .contains("\uff0e\uff0e\\x", "..\\x", "../x", "\uff0e\uff0e/x"));
    }

    @Test
    void everyFormGivenIsAReading() {
        assertThat(PathReadings.of(" a", "a")).contains(Set.of(" a", "a"));
    }

    @Test
    void bytesThatAreNotUtf8LeaveNoReading() {
        assertThat(PathReadings.of("%c0%ae")).isEmpty();
    }

    @Test
    void aValueEncodedTooOftenLeavesNoReading() {
        String encoded = "..";
        for (int i = 0; i < PathReadings.MAX_READINGS; i++) {
            encoded = encoded.replace("%", "%25").replace(".", "%2e");
        }
        assertThat(PathReadings.of(encoded)).isEmpty();
    }
}
