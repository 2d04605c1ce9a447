package io.kimi.proxy;

import static java.util.Objects.requireNonNull;

import io.kimi.config.ModelConfig;
import io.kimi.config.ProviderConfig;

/**
 * Where a client's model goes.
 *
 * @param requestedModel the model name the client sent
 * @param model the configured model it matched
 * @param provider the provider serving it
 */
public record Route(String requestedModel, ModelConfig model, ProviderConfig provider) {
    public Route {
        requireNonNull(requestedModel, "requestedModel");
        requireNonNull(model, "model");
        requireNonNull(provider, "provider");
    }
}
