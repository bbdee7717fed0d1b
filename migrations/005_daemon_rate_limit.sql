-- Schema version 5: the Hub's rate limit, as the daemon sees it.
--
-- * `daemon_status.rate_limited_until`: when the daemon's Hub requests wait
--   for a rate-limit reset (the budget is spent, or the Hub answered 429),
--   the time they wait until; NULL otherwise. Written with each heartbeat;
--   `hfsched status` shows "rate limited until HH:MM:SS".

-- up
ALTER TABLE daemon_status ADD COLUMN rate_limited_until DATETIME;

-- down
ALTER TABLE daemon_status DROP COLUMN rate_limited_until;
