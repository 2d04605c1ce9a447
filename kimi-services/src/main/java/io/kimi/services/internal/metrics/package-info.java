/** The server's Micrometer meters, rendered in Prometheus text format for {@code GET /metrics}. */
package io.kimi.services.internal.metrics;
