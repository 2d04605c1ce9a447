package io.kimi.client;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonUnwrapped;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import io.kimi.protocol.AccuracyFigures;
import io.kimi.protocol.ConvergenceSessionMetrics;
import io.kimi.protocol.ConvergenceSessionView;
import io.kimi.protocol.EventList;
import io.kimi.protocol.EventView;
import io.kimi.protocol.LatencyFigures;
import io.kimi.protocol.ProxyMetrics;
import io.kimi.protocol.ProxySessionMetrics;
import io.kimi.protocol.ProxySessionView;
import io.kimi.protocol.RequestView;
import io.kimi.protocol.SystemMetricsView;
import io.kimi.protocol.TokenRate;
import java.lang.reflect.RecordComponent;
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
        for (RecordComponent c : clientRecord.getRecordComponents()) {
            JsonProperty named = c.getAccessor().getAnnotation(JsonProperty.class);
            names.add(named != null ? named.value() : SNAKE.translate(c.getName()));
        }
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

    @Test
    void theSystemMetricsReadOnlyWhatTheMetricsRecordsWrite() {
        assertThat(written(SystemMetricsView.class)).containsAll(read(SystemMetrics.class));
        assertThat(written(ProxyMetrics.class)).containsAll(read(SystemMetrics.ProxyMetrics.class));
        assertThat(written(TokenRate.class)).containsAll(read(SystemMetrics.TokensPerMinute.class));
        assertThat(written(LatencyFigures.class)).containsAll(read(SystemMetrics.Latency.class));
        assertThat(written(AccuracyFigures.class)).containsAll(read(SystemMetrics.EstimateAccuracy.class));
    }

    @Test
    void aSessionsMetricsReadOnlyWhatEitherKindWrites() {
        assertThat(written(ConvergenceSessionMetrics.class, ProxySessionMetrics.class))
                .containsAll(read(SessionMetrics.class));
    }

    @Test
    void anEventPageReadsOnlyWhatTheEventListWrites() {
        assertThat(written(EventList.class)).containsAll(read(EventPage.class));
    }
}
