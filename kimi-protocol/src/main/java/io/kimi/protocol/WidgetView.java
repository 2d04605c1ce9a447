package io.kimi.protocol;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * A widget's last rendered state ({@code GET /api/widgets} and {@code widget} messages).
 *
 * @param type how the page draws it, e.g. {@code line}
 * @param state what the widget rendered
 */
public record WidgetView(@JsonProperty("name") String name, @JsonProperty("type") String type,
        @JsonProperty("state") Object state) {
}
