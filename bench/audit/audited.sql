-- The same action with its audit record as record::Audit writes it: take the next id through the head row (its row
-- lock serializes audited writers until they commit), insert the record, store the new head hash; then the event.
BEGIN;
UPDATE audit_bench.objects SET updated_at = updated_at + 1 WHERE id = :client_id + 1;
UPDATE audit_bench.audit_head SET last_id = last_id + 1 WHERE singleton = 1 RETURNING last_id, last_hash \gset head_
INSERT INTO audit_bench.audit_log VALUES (CAST(:head_last_id AS BIGINT), 0, 'bench', 'area.bench', 'area:' || (:client_id + 1), '{}',
                                          CAST(:head_last_hash AS TEXT), md5(CAST(:head_last_hash AS TEXT) || CAST(:head_last_id AS TEXT)));
UPDATE audit_bench.audit_head SET last_hash = md5(CAST(:head_last_hash AS TEXT) || CAST(:head_last_id AS TEXT)) WHERE singleton = 1;
INSERT INTO audit_bench.events (object_ref, at, kind, data) VALUES ('area:' || (:client_id + 1), 0, 'bench', '{}');
END;
