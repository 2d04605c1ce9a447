package io.kimi.examples;

import io.kimi.client.DashboardClient;
import io.kimi.client.SystemMetrics;
import java.io.PrintStream;
import java.time.Duration;

/**
 * Seed 002's live metrics dashboard for the terminal: {@code GET /api/metrics} every few seconds, redrawn in
 * place.
 *
 * <p>{@code java -cp ... io.kimi.examples.LiveMetrics [http://127.0.0.1:8766 [seconds]]}; Ctrl+C stops it.
 */
public final class LiveMetrics {
    private static final String CLEAR = "\033[2J\033[H";

    private LiveMetrics() {
    }

    /** One screen. */
    public static void printOnce(DashboardClient client, PrintStream out) {
        SystemMetrics m = client.getMetrics();
        out.print(CLEAR);
        out.println("=".repeat(50));
        out.println("KIMI DASHBOARD - LIVE METRICS");
        out.println("=".repeat(50));
        out.println("Active Sessions: " + m.activeSessions());
        out.println("Total Sessions: " + m.totalSessions());
        out.println("Converged: " + m.convergedSessions());
        out.println("Failed: " + m.failedSessions());
        out.println();
        out.println("Findings by Severity:");
        m.findingsBySeverity().forEach((severity, count) -> out.println("  " + severity + ": " + count));
        if (m.proxy() != null) {
            out.println();
            out.printf("Proxy: %d requests, %d tokens, $%.4f, %d tokens in the last minute%n",
                    m.proxy().requests(), m.proxy().totalTokens(), m.proxy().costUsd(),
                    m.proxy().tokensPerMinute() == null ? 0 : m.proxy().tokensPerMinute().last60s());
        }
        out.flush();
    }

    /** Prints a screen every {@code interval}, {@code times} times (0: until interrupted). */
    public static void run(DashboardClient client, PrintStream out, Duration interval, int times)
            throws InterruptedException {
        for (int i = 0; times <= 0 || i < times; i++) {
            if (i > 0) {
                Thread.sleep(interval.toMillis());
            }
            printOnce(client, out);
        }
    }

    public static void main(String[] args) throws InterruptedException {
        DashboardClient client = DashboardClient.create(args.length > 0 ? args[0] : "http://127.0.0.1:8766");
        run(client, System.out, Duration.ofSeconds(args.length > 1 ? Long.parseLong(args[1]) : 5), 0);
    }
}
