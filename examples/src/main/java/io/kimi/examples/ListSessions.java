package io.kimi.examples;

import io.kimi.client.DashboardClient;
import io.kimi.client.Session;
import io.kimi.client.SessionPage;
import java.io.PrintStream;

/**
 * {@link DashboardClient} listing the latest sessions of a running dashboard, as seed 002's
 * {@code client.list_sessions(limit=10)}.
 *
 * <p>{@code java -cp ... io.kimi.examples.ListSessions [http://127.0.0.1:8766]}
 */
public final class ListSessions {
    private ListSessions() {
    }

    /** Prints the 10 latest sessions; returns how many there are in all. */
    public static long print(DashboardClient client, PrintStream out) {
        SessionPage page = client.listSessions(10, 0);
        out.printf("%d sessions, the latest %d:%n", page.total(), page.sessions().size());
        for (Session s : page.sessions()) {
            String what = s.isConvergence() ? s.target() + ", iteration " + s.currentIteration()
                    : s.model() + ", " + (s.totals() == null ? 0 : s.totals().totalTokens()) + " tokens";
            out.printf("%s  %-11s %-9s %s%n", s.sessionId(), s.kind(), s.status(), what);
        }
        return page.total();
    }

    public static void main(String[] args) {
        DashboardClient client = DashboardClient.create(args.length > 0 ? args[0] : "http://127.0.0.1:8766");
        print(client, System.out);
    }
}
