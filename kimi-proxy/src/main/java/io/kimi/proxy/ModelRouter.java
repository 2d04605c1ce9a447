package io.kimi.proxy;

import static java.util.Objects.requireNonNull;

import io.kimi.config.KimiConfig;
import io.kimi.config.ModelConfig;
import io.kimi.config.ProviderConfig;

/**
 * Maps a client's model name to a configured model and its provider, as the original did and no more:
 * the exact config key, else the part after the first {@code /} (so {@code kimi/kimi-k2} finds
 * {@code kimi-k2}). No fuzzy matching.
 */
public final class ModelRouter {
    private final KimiConfig config;

    public ModelRouter(KimiConfig config) {
        this.config = requireNonNull(config, "config");
    }

    /** Resolves a model name; throws a {@link ProxyException} with a 404 when nothing matches. */
    public Route resolve(String requestedModel) {
        requireNonNull(requestedModel, "requestedModel");
        ModelConfig model = config.models().get(requestedModel);
        if (model == null) {
            int slash = requestedModel.indexOf('/');
            if (slash >= 0 && slash < requestedModel.length() - 1) {
                model = config.models().get(requestedModel.substring(slash + 1));
            }
        }
        if (model == null) {
            throw new ProxyException(new OpenAiError(404,
                    "The model '" + requestedModel + "' is not configured. Configured models: "
                            + String.join(", ", config.models().keySet()) + " (GET /models lists them).",
                    "invalid_request_error", "model_not_found", "model", null));
        }
        ProviderConfig provider = config.providers().get(model.provider());
        if (provider == null) {
            // KimiConfig validation prevents this; keep the message clear if a caller built one by hand.
            throw new ProxyException(OpenAiError.of(503, "server_error", "provider_not_configured",
                    "The model '" + model.key() + "' routes to provider '" + model.provider()
                            + "', which is not configured."));
        }
        return new Route(requestedModel, model, provider);
    }
}
