package io.kimi.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kimi.core.KimiException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ComponentsTest {
    private final List<String> closed = new ArrayList<>();
    private final Components components = new Components();

    private AutoCloseable part(String name) {
        return () -> closed.add(name);
    }

    @Test
    void closesInTheReverseOrderOfRegistration() {
        components.add("database", part("database"));
        components.add("event loops", part("event loops"));
        components.add("listening socket", part("listening socket"));

        components.close();

        assertThat(closed).containsExactly("listening socket", "event loops", "database");
    }

    @Test
    void aFailingCloseDoesNotSkipTheOthersAndEveryFailureIsReportedByName() {
        components.add("database", part("database"));
        components.add("accountant", () -> {
            throw new IOException("disk gone");
        });
        components.add("event loops", part("event loops"));
        components.add("blocking pool", () -> {
            throw new IllegalStateException("tasks still running");
        });
        components.add("listening socket", part("listening socket"));

        assertThatThrownBy(components::close)
                .isInstanceOf(KimiException.class)
                .hasMessageContaining("blocking pool").hasMessageContaining("tasks still running")
                .satisfies(e -> {
                    assertThat(e.getCause()).isInstanceOf(IllegalStateException.class);
                    assertThat(e.getSuppressed()).hasSize(1);
                    assertThat(e.getSuppressed()[0]).hasMessageContaining("accountant")
                            .hasMessageContaining("disk gone").hasCauseInstanceOf(IOException.class);
                });
        assertThat(closed).containsExactly("listening socket", "event loops", "database");
    }

    @Test
    void closesEachPartOnce() {
        components.add("database", part("database"));

        components.close();
        components.close();

        assertThat(closed).containsExactly("database");
    }

    @Test
    void returnsWhatItRegisters() {
        AutoCloseable database = part("database");

        assertThat(components.add("database", database)).isSameAs(database);
    }
}
