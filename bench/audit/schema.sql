SET client_min_messages = warning;
-- The tables an audited action writes, reduced to what the audit head's cost depends on (migrations/0001's audit_head,
-- audit_log and events, without their indexes on other columns), in a schema of their own.
DROP SCHEMA IF EXISTS audit_bench CASCADE;
CREATE SCHEMA audit_bench;
SET search_path = audit_bench;
CREATE TABLE objects (id BIGINT PRIMARY KEY, updated_at BIGINT NOT NULL);
INSERT INTO objects SELECT g, 0 FROM generate_series(1, 256) g;
CREATE TABLE audit_head (singleton INTEGER PRIMARY KEY, last_id BIGINT NOT NULL, last_hash TEXT NOT NULL);
INSERT INTO audit_head VALUES (1, 0, '');
CREATE TABLE audit_log (id BIGINT PRIMARY KEY, at BIGINT NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL,
                        object_ref TEXT NOT NULL, summary TEXT NOT NULL, prev_hash TEXT NOT NULL, hash TEXT NOT NULL);
CREATE TABLE events (id BIGSERIAL PRIMARY KEY, object_ref TEXT NOT NULL, at BIGINT NOT NULL, kind TEXT NOT NULL,
                     data TEXT NOT NULL);
CREATE INDEX events_by_object ON events (object_ref, id);
-- The alternative: one chain per writer (a head row each), to tell the head's serialization from the cost of
-- writing the record at all.
CREATE TABLE writer_heads (writer INTEGER PRIMARY KEY, last_id BIGINT NOT NULL, last_hash TEXT NOT NULL);
INSERT INTO writer_heads SELECT g, 0, '' FROM generate_series(1, 256) g;
CREATE TABLE writer_log (writer INTEGER NOT NULL, id BIGINT NOT NULL, at BIGINT NOT NULL, actor TEXT NOT NULL,
                         action TEXT NOT NULL, object_ref TEXT NOT NULL, summary TEXT NOT NULL, prev_hash TEXT NOT NULL,
                         hash TEXT NOT NULL, PRIMARY KEY (writer, id));
