/**
 * Reads {@code config.toml} ({@link io.kimi.config.ConfigLoader}) or a configuration written in code
 * ({@link io.kimi.config.KimiConfig#builder()}) into one immutable, validated {@link io.kimi.config.KimiConfig}.
 */
package io.kimi.config;
