package io.kimi.client;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonUnwrapped;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import io.kimi.protocol.ConvergenceSessionView;
import io.kimi.protocol.EventView;
import io.kimi.protocol.ProxySessionView;
import io.kimi.protocol.RequestView;
import java.lang.reflect.RecordComponent;
import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The client's public records are read with its snake_case mapper; every field they read must be one the server
 * writes, and the server's fields are named in one place, kimi-protocol. A renamed or dropped wire field fails
 * here, not in a user's program.
 */
class WireNamesTest {
    private static final PropertyNamingStrategies.SnakeCaseStrategy SNAKE =
            new PropertyNamingStrategies.SnakeCaseStrategy();

    /** The wire names a protocol record writes, unwrapped groups included. */
    private static Set<String> written(Class<?>... records) {
        Set<String> names = new TreeSet<>();
        for (Class<?> record : records) {
            for (RecordComponent c : record.getRecordComponents()) {
                // @JsonProperty and @JsonUnwrapped do not target record components: they land on the accessor.
                if (c.getAccessor().isAnnotationPresent(JsonUnwrapped.class)) {
                    names.addAll(written(c.getType()));
                } else {
                    names.add(c.getAccessor().getAnnotation(JsonProperty.class).value());
                }
            }
        }
        return names;
    }

    private static Set<String> read(Class<?> clientRecord) {
        Set<String> names = new TreeSet<>();
        Arrays.stream(clientRecord.getRecordComponents()).forEach(c -> names.add(SNAKE.translate(c.getName())));
        return names;
    }

    @Test
    void aProxyRequestReadsOnlyWhatTheRequestViewWrites() {
        assertThat(written(RequestView.class)).containsAll(read(ProxyRequest.class));
    }

    @Test
    void aSessionReadsOnlyWhatTheSessionViewsWrite() {
        Set<String> written = written(ProxySessionView.class, ConvergenceSessionView.class);
        written.add("recent_requests"); // added by the routes that show a session with its latest requests
        assertThat(written).containsAll(read(Session.class));
        assertThat(written(ProxySessionView.Totals.class)).containsAll(read(Session.SessionTotals.class));
        assertThat(written(ProxySessionView.ContextGauge.class)).containsAll(read(Session.ContextGauge.class));
        assertThat(written(ConvergenceSessionView.Totals.class)).containsAll(read(Session.ConvergenceTotals.class));
    }

    @Test
    void anEventReadsOnlyWhatTheEventViewWrites() {
        assertThat(written(EventView.class)).containsAll(read(Event.class));
    }
}
