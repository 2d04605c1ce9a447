package io.kimi.benchmarks;

import java.net.URI;

/**
 * One thing measured: a proxy in front of the mock, or the mock itself (the floor).
 *
 * @param name short key in the results ({@code direct}, {@code nginx}, {@code portkey}, {@code kimi})
 * @param label how the report names it
 * @param chatUrl where chat completions are posted
 * @param headers extra request headers, {@code "name: value|name: value"} (Portkey's routing headers)
 * @param pid the process whose CPU and memory are reported (with its descendants)
 */
record Peer(String name, String label, URI chatUrl, String headers, long pid) {
}
