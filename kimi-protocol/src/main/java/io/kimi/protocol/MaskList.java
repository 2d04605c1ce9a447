package io.kimi.protocol;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/** {@code GET /api/mask}: a page of masks, newest first. */
public record MaskList(
        @JsonProperty("masks") List<MaskView> masks,
        @JsonProperty("total") long total,
        @JsonProperty("limit") int limit,
        @JsonProperty("offset") int offset) {
}
