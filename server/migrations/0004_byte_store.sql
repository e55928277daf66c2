-- Where the bytes of this database's files are: "disk" (the data directory's
-- blobs/) or the s3://bucket/prefix of --blobs, as the first server to start
-- with this migration had them. A server with another store would find none
-- of them, so it is refused (bytestore.go). One row.
CREATE TABLE byte_store (
	id       INTEGER PRIMARY KEY CHECK (id = 1),
	location TEXT NOT NULL
);
