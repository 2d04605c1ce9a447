package io.kimi.protocol;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/** The data of the reply to {@code subscribe}/{@code unsubscribe}: the subscriptions now. */
public record Subscribed(@JsonProperty("subscribed") List<String> subscribed) {
}
