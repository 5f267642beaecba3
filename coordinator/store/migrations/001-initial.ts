// Applied migrations are hashed: never edit this text once released, add a new migration instead.
export default `
CREATE TABLE settings (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL                         -- JSON
);

CREATE TABLE operators (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  password_hash TEXT NOT NULL,                -- scrypt$N$r$p$salt$hash
  created_at TEXT NOT NULL,
  disabled_at TEXT
);

CREATE TABLE sessions (
  id_hash TEXT PRIMARY KEY,                   -- sha256 of the cookie value: a leaked DB opens nothing
  operator_id INTEGER NOT NULL REFERENCES operators(id),
  csrf_token TEXT NOT NULL,
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL
);

-- One-time link printed at first start so the first operator can set a password.
CREATE TABLE setup_tokens (
  token_hash TEXT PRIMARY KEY,
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL,
  used_at TEXT
);

CREATE TABLE invites (
  code_hash TEXT PRIMARY KEY,                 -- sha256 of the code; the code itself is shown once
  created_by INTEGER REFERENCES operators(id),
  note TEXT,
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL,
  used_at TEXT,
  used_by_shop TEXT
);

CREATE TABLE shops (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  app_version TEXT NOT NULL,
  enrolled_at TEXT NOT NULL,
  last_seen_at TEXT,
  revoked_at TEXT
);

CREATE TABLE credentials (
  shop_id TEXT NOT NULL REFERENCES shops(id),
  kind TEXT NOT NULL CHECK (kind IN ('ed25519')),
  public_key TEXT NOT NULL UNIQUE,            -- base64 SPKI DER
  created_at TEXT NOT NULL,
  revoked_at TEXT,
  PRIMARY KEY (shop_id, public_key)
);

-- Nonces seen inside the signature window: a replayed request is refused.
CREATE TABLE nonces (
  shop_id TEXT NOT NULL,
  nonce TEXT NOT NULL,
  expires_at INTEGER NOT NULL,                -- ms since epoch
  PRIMARY KEY (shop_id, nonce)
);

CREATE TABLE models (
  version INTEGER PRIMARY KEY,
  round_id INTEGER,
  parent_version INTEGER,
  parameter_count INTEGER NOT NULL,
  weights BLOB NOT NULL,                      -- float32 little-endian
  sha256 TEXT NOT NULL,
  settings TEXT,                              -- JSON round settings that produced it
  created_at TEXT NOT NULL
);

-- Sums only: the coordinator keeps no per-shop accuracy.
CREATE TABLE model_metrics (
  version INTEGER PRIMARY KEY REFERENCES models(version),
  reports INTEGER NOT NULL,
  n INTEGER NOT NULL,
  pinball_sum REAL NOT NULL,                  -- sum of n * pinball
  wape_sum REAL NOT NULL
);
CREATE TABLE metric_reports (
  version INTEGER NOT NULL REFERENCES models(version),
  shop_id TEXT NOT NULL REFERENCES shops(id),
  payload_sha256 TEXT NOT NULL,
  reported_at TEXT NOT NULL,
  PRIMARY KEY (version, shop_id)
);

CREATE TABLE rounds (
  id INTEGER PRIMARY KEY,
  phase TEXT NOT NULL CHECK (phase IN ('open','advertise','share','collect','unmask','aggregating','published','failed')),
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
-- At most one round runs at a time.
CREATE UNIQUE INDEX rounds_one_active ON rounds ((1)) WHERE phase NOT IN ('published','failed');

CREATE TABLE round_participants (
  round_id INTEGER NOT NULL REFERENCES rounds(id),
  shop_id TEXT NOT NULL REFERENCES shops(id),
  checked_in_at TEXT NOT NULL,
  uploaded_at TEXT,
  dropped_in TEXT,                            -- phase where a shop dropped out, if it did
  PRIMARY KEY (round_id, shop_id)
);

-- Plain mode keeps the clipped update until aggregation, then drops it (hash and norm stay).
CREATE TABLE updates (
  round_id INTEGER NOT NULL REFERENCES rounds(id),
  shop_id TEXT NOT NULL REFERENCES shops(id),
  payload_sha256 TEXT NOT NULL,
  sample_count INTEGER NOT NULL,
  weight REAL NOT NULL,
  norm REAL NOT NULL,
  bytes INTEGER NOT NULL,
  delta BLOB,                                 -- NULL once aggregated
  received_at TEXT NOT NULL,
  PRIMARY KEY (round_id, shop_id)
);

CREATE TABLE events (
  id INTEGER PRIMARY KEY,
  at TEXT NOT NULL,
  actor TEXT NOT NULL,                        -- 'operator:NAME', 'shop:ID', 'system'
  kind TEXT NOT NULL,
  detail TEXT                                 -- JSON
);
CREATE INDEX events_at ON events (at);
`;
