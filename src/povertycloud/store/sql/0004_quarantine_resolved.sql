-- Quarantined rows fixed and taken in again: the batch that brought them.
ALTER TABLE quarantine ADD COLUMN resolved_by BIGINT;
