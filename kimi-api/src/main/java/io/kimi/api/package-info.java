/**
 * The server: {@link io.kimi.api.KimiServer} (built by {@link io.kimi.api.KimiServerBuilder}) to embed it,
 * {@link io.kimi.api.Main} to launch it. Everything else in this package is internal.
 */
package io.kimi.api;
