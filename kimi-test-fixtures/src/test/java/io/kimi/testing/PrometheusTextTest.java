package io.kimi.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class PrometheusTextTest {
  private static final String VALID =
      String.join(
          "\n",
          "# HELP requests_total Requests.",
          "# TYPE requests_total counter",
          "requests_total{model=\"a\\\"b\",provider=\"x\"} 3.0",
          "requests_total{model=\"c\",provider=\"x\"} 1 1700000000000",
          "# HELP latency_seconds Latency.",
          "# TYPE latency_seconds histogram",
          "latency_seconds_bucket{provider=\"x\",le=\"0.1\"} 1",
          "latency_seconds_bucket{provider=\"x\",le=\"+Inf\"} 2",
          "latency_seconds_count{provider=\"x\"} 2",
          "latency_seconds_sum{provider=\"x\"} 0.35",
          "# HELP up Up.",
          "# TYPE up gauge",
          "up NaN",
          "");

  @Test
  void readsFamiliesSamplesAndEscapedLabels() {
    PrometheusText text = PrometheusText.parse(VALID);

    assertThat(text.families().keySet()).containsExactly("requests_total", "latency_seconds", "up");
    assertThat(text.families().get("latency_seconds").type()).isEqualTo("histogram");
    assertThat(text.value("requests_total", Map.of("model", "a\"b", "provider", "x"))).isEqualTo(3.0);
    assertThat(text.sum("requests_total", Map.of("provider", "x"))).isEqualTo(4.0);
    assertThat(text.value("latency_seconds_count", Map.of("provider", "x"))).isEqualTo(2.0);
    assertThat(text.value("up", Map.of())).isNaN();
    assertThat(PrometheusText.parse("").samples()).isEmpty();
  }

  @Test
  void rejectsWhatAScraperWouldReject() {
    assertRejected("x 1\n", "before the # HELP and # TYPE");
    assertRejected("# TYPE x gauge\nx 1\n", "before the # HELP and # TYPE");
    assertRejected("# TYPE x gauge\n", "no # HELP");
    assertRejected("# HELP x X.\n# TYPE x gauge\nx one\n", "expected 'value");
    assertRejected("# HELP x X.\n# TYPE x gauge\nx{a=\"b\\t\"} 1\n", "invalid escape");
    assertRejected("# HELP x X.\n# TYPE x gauge\nx{a=b} 1\n", "no quoted value");
    assertRejected("# HELP x X.\n# TYPE x gauge\nx{1a=\"b\"} 1\n", "invalid label name");
    assertRejected("# HELP x X.\n# TYPE x gauge\nx 1\nx 2\n", "duplicate sample");
    assertRejected("# HELP x X.\n# TYPE x counter\nx_sum 1\n", "does not fit");
    assertRejected("# HELP x X.\n# TYPE x gauge\nx 1", "end with a line feed");
    assertRejected(
        "# HELP h H.\n# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 1\nh_count 1\n",
        "not cumulative");
    assertRejected(
        "# HELP h H.\n# TYPE h histogram\nh_bucket{le=\"+Inf\"} 2\nh_count 1\n", "differs from");
    assertRejected(
        "# HELP a A.\n# TYPE a gauge\na 1\n# HELP b B.\n# TYPE b gauge\nb 1\n# HELP a A.\n",
        "second # HELP");
  }

  private static void assertRejected(String text, String reason) {
    assertThatThrownBy(() -> PrometheusText.parse(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(reason);
  }
}
