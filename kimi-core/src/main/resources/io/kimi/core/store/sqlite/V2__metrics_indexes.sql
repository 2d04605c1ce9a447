-- V2: indexes for the metrics reads (REST /api/metrics and /api/sessions/{id}/metrics).

-- requestStats(since): requests that arrived after an instant (tokens per minute)
CREATE INDEX idx_requests_time ON requests (timestamp);
-- latencyPercentiles(all): successful requests ordered by latency
CREATE INDEX idx_requests_status_latency ON requests (status, latency_ms);
-- latencyPercentiles(session): one session's successful requests ordered by latency
CREATE INDEX idx_requests_session_status_latency ON requests (session_id, status, latency_ms);
