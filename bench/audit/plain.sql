-- One action without its audit record: the object's row and its timeline event. Each client has an object of its own.
BEGIN;
UPDATE audit_bench.objects SET updated_at = updated_at + 1 WHERE id = :client_id + 1;
INSERT INTO audit_bench.events (object_ref, at, kind, data) VALUES ('area:' || (:client_id + 1), 0, 'bench', '{}');
END;
