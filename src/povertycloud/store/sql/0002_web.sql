-- The web platform: accounts, sessions, the audit log, complaints and announcements.
CREATE SEQUENCE user_ids START 1;
CREATE TABLE users (
    user_id BIGINT PRIMARY KEY DEFAULT nextval('user_ids'),
    username VARCHAR NOT NULL UNIQUE,
    display_name VARCHAR NOT NULL,
    role VARCHAR NOT NULL,
    region_code VARCHAR NOT NULL,
    password_hash VARCHAR NOT NULL,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    created_at TIMESTAMP NOT NULL DEFAULT current_timestamp
);
-- A session is known by the SHA-256 of its token; the token itself is only in the cookie.
CREATE TABLE sessions (
    token_hash VARCHAR PRIMARY KEY,
    user_id BIGINT NOT NULL,
    csrf_token VARCHAR NOT NULL,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL
);
CREATE SEQUENCE audit_ids START 1;
CREATE TABLE audit_log (
    audit_id BIGINT PRIMARY KEY DEFAULT nextval('audit_ids'),
    logged_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
    user_id BIGINT,
    username VARCHAR,
    role VARCHAR,
    action VARCHAR NOT NULL,
    object_kind VARCHAR,
    object_id VARCHAR,
    region_code VARCHAR,
    detail VARCHAR,
    client VARCHAR
);
CREATE SEQUENCE complaint_ids START 1;
CREATE TABLE complaints (
    complaint_id BIGINT PRIMARY KEY DEFAULT nextval('complaint_ids'),
    tracking_code VARCHAR NOT NULL UNIQUE,
    filed_at TIMESTAMP NOT NULL,
    region_code VARCHAR NOT NULL,
    category VARCHAR NOT NULL,
    subject VARCHAR NOT NULL,
    body VARCHAR NOT NULL,
    contact VARCHAR,
    status VARCHAR NOT NULL,
    due_at TIMESTAMP NOT NULL,
    answered_at TIMESTAMP,
    answer VARCHAR,
    answered_by BIGINT
);
CREATE SEQUENCE announcement_ids START 1;
CREATE TABLE announcements (
    announcement_id BIGINT PRIMARY KEY DEFAULT nextval('announcement_ids'),
    region_code VARCHAR NOT NULL,
    title VARCHAR NOT NULL,
    body VARCHAR NOT NULL,
    published_at TIMESTAMP NOT NULL,
    published_by BIGINT
);
