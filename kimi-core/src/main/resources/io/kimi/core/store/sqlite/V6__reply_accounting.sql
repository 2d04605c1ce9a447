-- V6: how a request's reply was counted. estimated_reply_bytes: reply bytes past max_accounted_reply_bytes,
-- relayed but not kept for counting, whose completion tokens were estimated from their size (0: the reply was
-- counted whole). accounting_error: why counting the reply failed (a short reason, never content), the
-- completion estimate then coming from the reply's size; NULL when counting went well. Rows stored before V6
-- were counted whole or lost, so the defaults describe them.
ALTER TABLE requests ADD COLUMN estimated_reply_bytes INTEGER NOT NULL DEFAULT 0;
ALTER TABLE requests ADD COLUMN accounting_error TEXT;
