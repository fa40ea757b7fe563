-- Migration 14: the registry of sealed columns. On a PostgreSQL store with a key, each
-- listed column is encrypted by the application (store/sealing.py); elsewhere the list
-- is kept, unused (an embedded file is encrypted whole). A department feed's sensitive
-- fields are added as its table is made. `lookup`: kept with a keyed hash for look-ups;
-- `sealed`: its values are sealed in this store.
CREATE TABLE pc_sealed (
    table_name VARCHAR NOT NULL,
    column_name VARCHAR NOT NULL,
    column_type VARCHAR NOT NULL,
    lookup BOOLEAN NOT NULL,
    sealed BOOLEAN NOT NULL,
    PRIMARY KEY (table_name, column_name)
);

INSERT INTO pc_sealed VALUES
    ('people', 'id_number', 'VARCHAR', true, false),
    ('people', 'chronic_illness', 'BOOLEAN', false, false),
    ('people', 'serious_illness', 'BOOLEAN', false, false),
    ('people', 'disability_kind', 'VARCHAR', false, false),
    ('people', 'disability_grade', 'BIGINT', false, false),
    ('person_history', 'id_number', 'VARCHAR', false, false),
    ('person_history', 'chronic_illness', 'BOOLEAN', false, false),
    ('person_history', 'serious_illness', 'BOOLEAN', false, false),
    ('person_history', 'disability_kind', 'VARCHAR', false, false),
    ('person_history', 'disability_grade', 'BIGINT', false, false),
    ('households', 'address', 'VARCHAR', false, false),
    ('households', 'phone', 'VARCHAR', false, false),
    ('household_history', 'address', 'VARCHAR', false, false),
    ('household_history', 'phone', 'VARCHAR', false, false),
    ('quarantine', 'record', 'VARCHAR', false, false),
    ('conflict_flags', 'evidence', 'VARCHAR', false, false),
    ('registry_changes', 'before', 'VARCHAR', false, false),
    ('feed_history', 'record', 'VARCHAR', false, false),
    ('feed_links', 'evidence', 'VARCHAR', false, false),
    ('complaints', 'contact', 'VARCHAR', false, false),
    ('web_people_search', 'id_number', 'VARCHAR', false, false);
