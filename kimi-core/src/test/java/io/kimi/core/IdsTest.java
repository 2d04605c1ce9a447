package io.kimi.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class IdsTest {

    @Test
    void idsAreVersion7AndSortInTheOrderTheyWereMade() {
        List<String> made = new ArrayList<>();
        for (int i = 0; i < 5_000; i++) {
            made.add(Ids.timeOrdered().toString());
        }

        assertThat(made).isSorted();
        assertThat(new HashSet<>(made)).hasSize(made.size());
        assertThat(UUID.fromString(made.get(0)).version()).isEqualTo(7);
    }

    @Test
    void prefixedIdsKeepThePrefixAndThirtyTwoHexDigits() {
        String first = Ids.timeOrdered("req_");
        String second = Ids.timeOrdered("req_");

        assertThat(first).matches("req_[0-9a-f]{32}");
        assertThat(second).isGreaterThan(first);
    }

    @Test
    void theTimeInAnIdIsTheMillisecondItWasMade() {
        long before = System.currentTimeMillis();
        UUID id = Ids.timeOrdered();
        long after = System.currentTimeMillis();

        long millis = id.getMostSignificantBits() >>> 16;
        assertThat(millis).isBetween(before, after);
    }
}
