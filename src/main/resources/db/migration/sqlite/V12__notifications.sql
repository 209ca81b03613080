-- Notifications (issue 13): each condition is announced once when it is first seen and once when it clears; what a
-- channel is to send is written here before it is sent (a crash between sending and recording sends it again rather
-- than losing it), and each channel sends at most one message per notify.minIntervalMinutes. Several processes may
-- evaluate: a condition changes state only through one conditional UPDATE/INSERT, and a channel is sent by whoever
-- takes its lease.
CREATE TABLE notify_conditions (
    key        TEXT   PRIMARY KEY,
    text       TEXT   NOT NULL,
    first_seen BIGINT NOT NULL,
    last_seen  BIGINT NOT NULL,
    cleared_at BIGINT
);

CREATE TABLE notify_outbox (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    channel    TEXT    NOT NULL,
    key        TEXT    NOT NULL,
    kind       TEXT    NOT NULL,
    text       TEXT    NOT NULL,
    at         BIGINT  NOT NULL,
    sent_at    BIGINT
);
CREATE INDEX notify_outbox_pending ON notify_outbox (channel, id) WHERE sent_at IS NULL;

CREATE TABLE notify_channels (
    channel       TEXT   PRIMARY KEY,
    last_sent_at  BIGINT,
    lease_until   BIGINT,
    lease_owner   TEXT,
    last_error    TEXT,
    last_error_at BIGINT
);
