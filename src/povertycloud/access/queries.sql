-- The statements of accounts and sessions (access/accounts.py, access/sessions.py).

-- name: region_exists
SELECT count(*) FROM regions WHERE code = ?;

-- name: username_taken
SELECT count(*) FROM users WHERE username = ?;

-- name: add_user
INSERT INTO users (user_id, username, display_name, role, region_code, source, password_hash)
VALUES (?, ?, ?, ?, ?, ?, ?);

-- name: add_users
-- the users of the registered relation _new_users, all with the password hash ?
INSERT INTO users (user_id, username, display_name, role, region_code, source, password_hash)
SELECT user_id, username, display_name, role, region_code, NULL, ? FROM _new_users;

-- name: usernames_taken
SELECT min(n.username) FROM _new_users n JOIN users u ON u.username = n.username;

-- name: user_with_hash
SELECT user_id, username, display_name, role, region_code, source, password_hash
FROM users WHERE username = ? AND active;

-- name: user_by_id
SELECT user_id, username, display_name, role, region_code, source
FROM users WHERE user_id = ? AND active;

-- name: user_by_name
SELECT user_id, username, display_name, role, region_code, source
FROM users WHERE username = ? AND active;

-- name: region_of_user
SELECT region_code FROM users WHERE username = ?;

-- name: users_within
SELECT user_id, username, display_name, role, region_code, source
FROM users WHERE starts_with(region_code, ?) ORDER BY region_code, username;

-- name: forget_expired_sessions
DELETE FROM sessions WHERE expires_at <= ?;

-- name: start_session
INSERT INTO sessions VALUES (?, ?, ?, ?, ?);

-- name: live_session
-- with its active user: one statement of every request, not two
SELECT u.user_id, u.username, u.display_name, u.role, u.region_code, u.source, s.csrf_token
FROM sessions s JOIN users u ON u.user_id = s.user_id
WHERE s.token_hash = ? AND s.expires_at > ? AND u.active;

-- name: end_session
DELETE FROM sessions WHERE token_hash = ?;

-- The statements of the rate limits (access/limits.py).

-- name: rate_key_salt
SELECT value FROM pc_meta WHERE key = 'rate_key_salt';

-- name: keep_rate_key_salt
INSERT INTO pc_meta VALUES ('rate_key_salt', ?) ON CONFLICT (key) DO NOTHING;

-- name: rate_event_to_expire
-- of the key's events in the window, the one that must leave it before another may come
SELECT happened_at FROM rate_events
WHERE limit_name = ? AND key_hash = ? AND happened_at > ?
ORDER BY happened_at DESC LIMIT 1 OFFSET ?;

-- name: add_rate_event
INSERT INTO rate_events VALUES (?, ?, ?);

-- name: forget_old_rate_events
DELETE FROM rate_events WHERE limit_name = ? AND happened_at <= ?;

-- name: forget_rate_events_of_key
DELETE FROM rate_events WHERE limit_name = ? AND key_hash = ?;
