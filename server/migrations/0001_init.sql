-- cosv2 serve's metadata, the same on SQLite and PostgreSQL. {{C}} is the
-- byte-order collation ("C" on PostgreSQL; SQLite's default already is), so
-- names sort as Go compares strings and a listing is a range scan.

-- Stored bytes and how many files refer to them: a copy adds a reference,
-- the last one dropped moves the key to garbage in the same transaction.
CREATE TABLE blobs (
	key   TEXT PRIMARY KEY,
	refs  BIGINT NOT NULL,
	slice BIGINT NOT NULL DEFAULT 0 -- the slice size of bytes stored as a session's slices
);

-- Keys whose bytes may be deleted from `after` on: unreferenced ones at once,
-- bytes being written (a simple upload, a session) once they cannot still be
-- committed. A blob is deleted only after the row that put it here committed.
CREATE TABLE garbage (
	key   TEXT PRIMARY KEY,
	after BIGINT NOT NULL
);
CREATE INDEX garbage_due ON garbage (after);

-- A directory or file: (bucket, dir, name) with dir ending in "/" and a
-- directory's name too. The bucket root is implicit.
CREATE TABLE nodes (
	bucket    TEXT{{C}} NOT NULL,
	dir       TEXT{{C}} NOT NULL,
	name      TEXT{{C}} NOT NULL,
	biz_attr  TEXT NOT NULL DEFAULT '',
	ctime     BIGINT NOT NULL,
	mtime     BIGINT NOT NULL,
	size      BIGINT NOT NULL DEFAULT 0,
	sha       TEXT NOT NULL DEFAULT '',
	blob      TEXT REFERENCES blobs (key),
	authority TEXT NOT NULL DEFAULT '',
	headers   TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (bucket, dir, name)
);
CREATE INDEX nodes_by_sha ON nodes (bucket, sha, size);

-- Unfinished slice uploads, one per path.
CREATE TABLE sessions (
	id         TEXT PRIMARY KEY,
	bucket     TEXT{{C}} NOT NULL,
	path       TEXT{{C}} NOT NULL,
	filesize   BIGINT NOT NULL,
	slice_size BIGINT NOT NULL,
	overwrite  INTEGER NOT NULL,
	biz_attr   TEXT NOT NULL DEFAULT '',
	sha        TEXT NOT NULL DEFAULT '',
	parts      TEXT NOT NULL DEFAULT '', -- uploadparts as JSON
	created    BIGINT NOT NULL,
	expires    BIGINT NOT NULL,
	rewrites   BIGINT NOT NULL DEFAULT 0, -- slices stored again: a running hash may be stale
	UNIQUE (bucket, path)
);
CREATE INDEX sessions_expiry ON sessions (expires);

-- The slices of a session: written (state 1) or being written since `since` (0).
CREATE TABLE parts (
	session TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
	off     BIGINT NOT NULL,
	size    BIGINT NOT NULL,
	state   INTEGER NOT NULL,
	since   BIGINT NOT NULL,
	PRIMARY KEY (session, off)
);

-- One-time signatures used, until they leave the freshness window.
CREATE TABLE nonces (
	mac   TEXT PRIMARY KEY,
	until BIGINT NOT NULL
);
CREATE INDEX nonces_until ON nonces (until);
