-- The audited action with a chain of its own per writer: the same statements as audited.sql, no shared row.
BEGIN;
UPDATE audit_bench.objects SET updated_at = updated_at + 1 WHERE id = :client_id + 1;
UPDATE audit_bench.writer_heads SET last_id = last_id + 1 WHERE writer = :client_id + 1 RETURNING last_id, last_hash \gset head_
INSERT INTO audit_bench.writer_log VALUES (:client_id + 1, CAST(:head_last_id AS BIGINT), 0, 'bench', 'area.bench',
                                           'area:' || (:client_id + 1), '{}', CAST(:head_last_hash AS TEXT),
                                           md5(CAST(:head_last_hash AS TEXT) || CAST(:head_last_id AS TEXT)));
UPDATE audit_bench.writer_heads SET last_hash = md5(CAST(:head_last_hash AS TEXT) || CAST(:head_last_id AS TEXT))
  WHERE writer = :client_id + 1;
INSERT INTO audit_bench.events (object_ref, at, kind, data) VALUES ('area:' || (:client_id + 1), 0, 'bench', '{}');
END;
