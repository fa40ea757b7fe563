-- The statements of departments' deliveries (intake/deliveries.py).

-- name: delivery
SELECT batch_id, checksum, report, delivered_at FROM deliveries
WHERE source = ? AND delivery_id = ?;

-- name: record_delivery
INSERT INTO deliveries (source, delivery_id, batch_id, checksum, report, delivered_by,
  delivered_at)
VALUES (?, ?, ?, ?, ?, ?, now());
