-- Migration 15: the funds ledger (funds/). Double-entry and append-only: an entry moves
-- one programme's money between accounts ('region:<code>', 'household:<id>',
-- 'project:<code>/<id>', 'clearing:<county>', 'recovery:<county>', 'source:<name>'), its
-- postings sum to zero (debit positive, credit negative, integer fen). Each entry is the
-- next link of its book's chain (a book per county, prefecture and province): `seq` its
-- place, `prev_hash` the hash of the entry before, `hash` that of its own content and
-- prev_hash. The two ledger tables are listed in pc_append_only: the store refuses to
-- change or delete their rows, and on PostgreSQL a trigger refuses it as well.
CREATE TABLE fund_entries (
    entry_id BIGINT NOT NULL,
    book VARCHAR NOT NULL,
    seq BIGINT NOT NULL,
    kind VARCHAR NOT NULL,
    programme VARCHAR NOT NULL,
    value_date DATE NOT NULL,
    memo VARCHAR,
    reverses BIGINT,
    batch_id BIGINT,
    booked_by VARCHAR NOT NULL,
    booked_at TIMESTAMP NOT NULL,
    prev_hash VARCHAR NOT NULL,
    hash VARCHAR NOT NULL,
    PRIMARY KEY (entry_id),
    UNIQUE (book, seq)
);
CREATE TABLE fund_postings (
    entry_id BIGINT NOT NULL,
    line INTEGER NOT NULL,
    account VARCHAR NOT NULL,
    amount_fen BIGINT NOT NULL,
    PRIMARY KEY (entry_id, line)
);
CREATE SEQUENCE fund_entry_ids START 1;
CREATE SEQUENCE fund_batch_ids START 1;

-- A county's payment list, once booked: one row per line, each paid by its entry
-- (county account to the county's bank clearing); the file's SHA-256 makes a repeat a
-- no-op. The payee's bank account is sensitive (pc_sealed).
CREATE TABLE fund_payment_batches (
    batch_id BIGINT NOT NULL,
    county_code VARCHAR NOT NULL,
    programme VARCHAR NOT NULL,
    period VARCHAR NOT NULL,
    period_start DATE NOT NULL,
    value_date DATE NOT NULL,
    source VARCHAR NOT NULL,
    checksum VARCHAR NOT NULL,
    lines BIGINT NOT NULL,
    total_fen BIGINT NOT NULL,
    booked_by VARCHAR NOT NULL,
    booked_at TIMESTAMP NOT NULL,
    PRIMARY KEY (batch_id)
);
CREATE TABLE fund_payments (
    batch_id BIGINT NOT NULL,
    line BIGINT NOT NULL,
    household_id BIGINT NOT NULL,
    person_id BIGINT,
    payee_name VARCHAR NOT NULL,
    bank_account VARCHAR NOT NULL,
    amount_fen BIGINT NOT NULL,
    entry_id BIGINT NOT NULL,
    PRIMARY KEY (batch_id, line)
);

-- Each payment line's outcome from the bank's return (feed_bank_payment_returns), once:
-- paid, failed, amount_differs, other_holder; a return record of no line is unknown.
CREATE TABLE fund_reconciliations (
    record_id BIGINT NOT NULL,
    batch_id BIGINT NOT NULL,
    line BIGINT NOT NULL,
    outcome VARCHAR NOT NULL,
    paid_fen BIGINT NOT NULL,
    reason VARCHAR,
    entry_id BIGINT,
    reconciled_at TIMESTAMP NOT NULL,
    PRIMARY KEY (record_id)
);

-- Anomalies found in the funds (funds/flags.py): a rule, where (the household's village
-- or the region whose account it concerns), the payment or entry, its evidence; an
-- officer's outcome from the field (confirmed, false_alarm, exempt), once.
CREATE TABLE fund_flags (
    flag_id BIGINT NOT NULL,
    rule VARCHAR NOT NULL,
    rules_version VARCHAR NOT NULL,
    programme VARCHAR,
    region_code VARCHAR NOT NULL,
    household_id BIGINT,
    batch_id BIGINT,
    line BIGINT,
    entry_id BIGINT,
    amount_fen BIGINT,
    evidence VARCHAR NOT NULL,
    raised_at TIMESTAMP NOT NULL,
    outcome VARCHAR,
    verified_at TIMESTAMP,
    verified_by VARCHAR,
    note VARCHAR,
    PRIMARY KEY (flag_id)
);
CREATE SEQUENCE fund_flag_ids START 1;

CREATE TABLE pc_append_only (
    table_name VARCHAR NOT NULL,
    PRIMARY KEY (table_name)
);
INSERT INTO pc_append_only VALUES ('fund_entries'), ('fund_postings');

INSERT INTO pc_sealed VALUES
    ('fund_payments', 'bank_account', 'VARCHAR', true, false),
    ('fund_flags', 'evidence', 'VARCHAR', false, false);
