-- One-time signatures are kept by their own t, for the longest --once-window
-- of the servers sharing this database, and never accepted once they may have
-- been forgotten (see nonces.go). A row of an earlier version keeps its until
-- as its t: it is kept longer than it needs, never shorter.
ALTER TABLE nonces ADD COLUMN t BIGINT NOT NULL DEFAULT 0;
UPDATE nonces SET t = until;
DROP INDEX nonces_until;
ALTER TABLE nonces DROP COLUMN until;
CREATE INDEX nonces_t ON nonces (t);

-- The --once-window of each server of this database, in whole seconds
-- rounded up, and when one with it last said so.
CREATE TABLE once_windows (
	seconds BIGINT PRIMARY KEY,
	seen    BIGINT NOT NULL
);

-- Every one-time signature used whose t is at least forgotten is in nonces:
-- the collection of the nonces below it and its raise are one transaction.
CREATE TABLE nonce_horizon (
	forgotten BIGINT NOT NULL
);
INSERT INTO nonce_horizon (forgotten) VALUES (0);
