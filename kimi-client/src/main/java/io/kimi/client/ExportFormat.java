package io.kimi.client;

/**
 * What {@code GET /api/export/{format}} writes: a proxy session's requests (a convergence session's events) as
 * CSV, or the session and them as JSON.
 */
public enum ExportFormat {
    CSV("csv"), JSON("json");

    private final String path;

    ExportFormat(String path) {
        this.path = path;
    }

    /** The route's segment: {@code csv} or {@code json}. */
    public String path() {
        return path;
    }
}
