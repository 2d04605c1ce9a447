package io.kimi.client;

import java.time.Duration;

/**
 * Run in a child JVM by {@link WithoutJacksonTest} with no Jackson on the class path: one
 * {@link DashboardClient#listSessions} call against the dashboard at {@code args[0]}. Prints what happened and
 * exits 0 (the call answered), 2 (a {@link DashboardException}, its message printed), 3 (any other throwable) or
 * 4 (Jackson is on the class path after all, so the run proves nothing).
 */
final class WithoutJacksonProbe {
    private WithoutJacksonProbe() {
    }

    public static void main(String[] args) {
        try {
            Class.forName("com.fasterxml.jackson.databind.ObjectMapper");
            System.out.println("JACKSON PRESENT");
            System.exit(4);
        } catch (ClassNotFoundException expected) {
            System.out.println("no Jackson on the class path");
        }
        try {
            DashboardClient client = DashboardClient.builder().baseUri(args[0])
                    .requestTimeout(Duration.ofSeconds(5)).build();
            System.out.println("ANSWERED " + client.listSessions(10, 0).total());
            System.exit(0);
        } catch (DashboardException e) {
            System.out.println("DASHBOARD_EXCEPTION " + e.getClass().getSimpleName() + ": " + e.getMessage());
            System.exit(2);
        } catch (Throwable e) {
            System.out.println("OTHER " + e);
            System.exit(3);
        }
    }
}
