package io.kimi.services.internal.features;

import io.kimi.core.KimiException;

/** The action needs a context feature that is turned off. */
public final class FeatureDisabledException extends KimiException {
    private static final long serialVersionUID = 1L;

    public FeatureDisabledException(String message) {
        super(message);
    }
}
