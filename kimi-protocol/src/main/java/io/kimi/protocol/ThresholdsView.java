package io.kimi.protocol;

import com.fasterxml.jackson.annotation.JsonProperty;

/** The context gauge's thresholds, in percent ({@code [thresholds]}). */
public record ThresholdsView(@JsonProperty("warning") double warning, @JsonProperty("high") double high,
        @JsonProperty("critical") double critical) {
}
