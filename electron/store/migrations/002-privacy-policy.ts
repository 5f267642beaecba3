// Applied migrations are hashed: never edit this text once released, add a new migration instead.
export default `
-- The bakery's own privacy policy: at most one row; none means the app's strict defaults.
-- Only this app writes it; nothing the coordinator sends can change it.
CREATE TABLE privacy_policy (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  allow_plain_rounds INTEGER NOT NULL CHECK (allow_plain_rounds IN (0,1)),
  min_noise_multiplier REAL NOT NULL CHECK (min_noise_multiplier >= 0),
  min_shops INTEGER NOT NULL CHECK (min_shops >= 2),
  epsilon_limit REAL CHECK (epsilon_limit IS NULL OR epsilon_limit > 0),  -- per rolling 365 days
  updated_at TEXT NOT NULL
);

-- One row per round this bakery sent a model update for, written before the first byte of it
-- left (so a lost answer still counts): the privacy budget is computed from these rows alone.
-- round_key names the round uniquely even if a coordinator's round ids start over.
CREATE TABLE privacy_charges (
  id INTEGER PRIMARY KEY,
  round_key TEXT NOT NULL UNIQUE,
  round_id INTEGER NOT NULL,
  charged_at TEXT NOT NULL,
  mode TEXT NOT NULL CHECK (mode IN ('plain','secure')),
  noise_multiplier REAL NOT NULL CHECK (noise_multiplier >= 0),   -- 0: no noise at all
  clip_norm REAL
);
CREATE INDEX privacy_charges_time ON privacy_charges (charged_at);

-- Rounds this bakery refused under its policy, with the reasons (codes and numbers).
CREATE TABLE round_refusals (
  id INTEGER PRIMARY KEY,
  round_key TEXT NOT NULL UNIQUE,
  round_id INTEGER NOT NULL,
  decided_at TEXT NOT NULL,
  stage TEXT NOT NULL CHECK (stage IN ('settings','roster')),
  reasons TEXT NOT NULL                                            -- JSON array
);

-- Every request, not only uploads: how it was sent, the identifying headers, what came back.
ALTER TABLE sync_ledger ADD COLUMN method TEXT;
ALTER TABLE sync_ledger ADD COLUMN path TEXT;
ALTER TABLE sync_ledger ADD COLUMN headers TEXT;                   -- JSON, as sent
ALTER TABLE sync_ledger ADD COLUMN details TEXT;                   -- JSON, codes and numbers
ALTER TABLE sync_ledger ADD COLUMN answer TEXT
  CHECK (answer IS NULL OR answer IN ('accepted','refused','none'));  -- NULL: still in flight
ALTER TABLE sync_ledger ADD COLUMN status INTEGER;
CREATE INDEX sync_ledger_round ON sync_ledger (round_id, id);

-- Updates sent before this version were ledgered on acknowledgement; each is charged now. Those
-- without a noise figure (plain or noiseless) carry no formal guarantee, and from now on say so.
INSERT OR IGNORE INTO privacy_charges (round_key, round_id, charged_at, mode, noise_multiplier, clip_norm)
  SELECT 'ledger:' || id, round_id, sent_at,
         CASE WHEN summary LIKE '%Masked model update%' THEN 'secure' ELSE 'plain' END,
         COALESCE(noise_multiplier, 0), clip_norm
  FROM sync_ledger WHERE kind = 'update' AND round_id IS NOT NULL;
UPDATE sync_ledger SET answer = 'accepted' WHERE answer IS NULL;
DELETE FROM settings WHERE key = 'secagg.budget';
-- Per-shop accuracy figures are no longer sent in the clear; queued ones are dropped unsent.
DELETE FROM sync_outbox WHERE kind = 'metrics';
`;
