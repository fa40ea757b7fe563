-- Migration 21: the contacts buyers and helpers leave on the portal (a phone, often) are
-- sensitive: listed among the sealed columns, encrypted on a PostgreSQL store with a key
-- as the others are, never shown on a public page.
INSERT INTO pc_sealed VALUES
    ('orders', 'contact', 'VARCHAR', false, false),
    ('helpers', 'contact', 'VARCHAR', false, false);
