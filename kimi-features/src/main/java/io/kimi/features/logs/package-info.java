/**
 * The log watcher: tails IDE and CLI logs (Continue.dev {@code core.log}, Kimi CLI {@code kimi.log}) through
 * rotation and truncation, and turns what they say about requests the proxy did not see into findings.
 */
package io.kimi.features.logs;
