/** Reads {@code config.toml} into one immutable {@link io.kimi.config.KimiConfig}, with env overrides. */
package io.kimi.config;
