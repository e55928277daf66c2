-- Small files kept in the database itself, beside their metadata: a file
-- of a few KB costs one transaction instead of a file created and synced.
-- Their keys start with "i"; the blobs and garbage tables count and collect
-- them like any other.
CREATE TABLE inline_blobs (
	key  TEXT PRIMARY KEY,
	data {{BYTES}} NOT NULL
);
