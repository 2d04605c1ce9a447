package io.kimi.proxy;

import static java.util.Objects.requireNonNull;

import io.kimi.core.KimiException;

/** A request cannot be proxied; carries the OpenAI-format error to answer with. */
public class ProxyException extends KimiException {
    private static final long serialVersionUID = 1L;

    private final transient OpenAiError error;

    public ProxyException(OpenAiError error) {
        super(requireNonNull(error, "error").message());
        this.error = error;
    }

    public OpenAiError error() {
        return error;
    }
}
