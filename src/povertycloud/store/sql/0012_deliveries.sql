-- Departments deliver their feeds through the API: a department account is bound to the
-- one source it may deliver (NULL for the other roles), and each delivery is kept by the
-- id the department gave it, with the SHA-256 of what it sent and the report it was
-- answered with, so that a repeat is answered the same and a different file under the
-- same id is refused.
ALTER TABLE users ADD COLUMN source VARCHAR;
CREATE TABLE deliveries (
    source VARCHAR NOT NULL,
    delivery_id VARCHAR NOT NULL,
    batch_id BIGINT NOT NULL,
    checksum VARCHAR NOT NULL,
    report VARCHAR NOT NULL,
    delivered_by BIGINT NOT NULL,
    delivered_at TIMESTAMP NOT NULL,
    PRIMARY KEY (source, delivery_id)
);
