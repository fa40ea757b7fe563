-- The events the web's rate limits count (failed logins, complaints), kept in the store so
-- that every worker of the server, and the server after a restart, counts the same. The key
-- (a username with an address, an address) is kept only as a salted SHA-256; an event is
-- deleted once older than its limit's window.
CREATE TABLE rate_events (
    limit_name VARCHAR NOT NULL,
    key_hash VARCHAR NOT NULL,
    happened_at DOUBLE NOT NULL  -- seconds since 1970-01-01 UTC
);
