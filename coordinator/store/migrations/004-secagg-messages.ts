// Applied migrations are hashed: never edit this text once released, add a new migration instead.
// Rebuilds `rounds` (SQLite cannot change a CHECK in place), so it runs with foreign keys off and
// is checked with foreign_key_check before it commits (federated/storage/sqlite.ts).
export default `
-- Secure rounds gain the consistency check: the 'confirm' phase between collect and unmask.
CREATE TABLE rounds_new (
  id INTEGER PRIMARY KEY,
  phase TEXT NOT NULL CHECK (phase IN ('open','advertise','share','collect','confirm','unmask','aggregating','published','failed')),
  model_version INTEGER NOT NULL REFERENCES models(version),
  settings TEXT NOT NULL,                     -- JSON
  trigger TEXT NOT NULL CHECK (trigger IN ('schedule','operator','cli')),
  opened_at TEXT NOT NULL,
  phase_deadline TEXT,
  phase_log TEXT NOT NULL,                    -- JSON [{phase, at}]
  closed_at TEXT,
  result_version INTEGER,
  failure_reason TEXT,
  phase_state TEXT                            -- JSON owned by the phase handlers (secure aggregation)
);
INSERT INTO rounds_new (id, phase, model_version, settings, trigger, opened_at, phase_deadline,
  phase_log, closed_at, result_version, failure_reason, phase_state)
  SELECT id, phase, model_version, settings, trigger, opened_at, phase_deadline,
    phase_log, closed_at, result_version, failure_reason, phase_state FROM rounds;
DROP TABLE rounds;
ALTER TABLE rounds_new RENAME TO rounds;
CREATE UNIQUE INDEX rounds_one_active ON rounds ((1)) WHERE phase NOT IN ('published','failed');

-- One row per message a shop sent in a secure round (the round header stays in phase_state):
-- the digest of the body as received answers a retry with the first receipt; the body is what the
-- coordinator's steps read (a share message without its records, which go to secagg_shares; the
-- binary masked upload, dropped once the round ends); meta holds small facts read without the body.
CREATE TABLE secagg_messages (
  round_id INTEGER NOT NULL REFERENCES rounds(id),
  shop_id TEXT NOT NULL REFERENCES shops(id),
  kind TEXT NOT NULL CHECK (kind IN ('advertise','shares','masked','confirm','unmask')),
  digest TEXT NOT NULL,                       -- SHA-256 hex
  body BLOB,
  meta TEXT,                                  -- JSON (a masked upload: whom it is masked with)
  received_at TEXT NOT NULL,
  PRIMARY KEY (round_id, kind, shop_id)
);
-- Each encrypted share record by recipient, so a shop's collect view is one indexed read (at 500
-- shops a round holds 500 × k records; as one JSON state it was tens of MB).
CREATE TABLE secagg_shares (
  round_id INTEGER NOT NULL REFERENCES rounds(id),
  to_shop TEXT NOT NULL REFERENCES shops(id),
  from_shop TEXT NOT NULL REFERENCES shops(id),
  record TEXT NOT NULL,                       -- JSON ShareRecord
  PRIMARY KEY (round_id, to_shop, from_shop)
);
CREATE INDEX secagg_shares_from ON secagg_shares (round_id, from_shop);
`;
