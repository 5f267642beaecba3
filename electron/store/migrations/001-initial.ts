// Applied migrations are hashed: never edit this text once released, add a new migration instead.
export default `
CREATE TABLE products (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  name_key TEXT NOT NULL UNIQUE,            -- lower-cased name: names are unique case-insensitively
  category TEXT NOT NULL CHECK (category IN ('bread','rolls','pastry','cake','snack','other')),
  shelf_life_days INTEGER NOT NULL DEFAULT 1 CHECK (shelf_life_days BETWEEN 1 AND 60),
  unit_price REAL CHECK (unit_price IS NULL OR unit_price >= 0),
  unit_cost REAL CHECK (unit_cost IS NULL OR unit_cost >= 0),
  par_levels TEXT,                          -- JSON array of 7 minimum bakes, Monday first, or NULL
  active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0,1)),
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);

CREATE TABLE daily_logs (
  date TEXT NOT NULL CHECK (date GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
  product_id INTEGER NOT NULL REFERENCES products(id),
  baked INTEGER CHECK (baked IS NULL OR baked >= 0),      -- NULL when only sales are known (POS import)
  sold INTEGER NOT NULL CHECK (sold >= 0),
  wasted INTEGER CHECK (wasted IS NULL OR wasted >= 0),
  carried_over INTEGER NOT NULL DEFAULT 0 CHECK (carried_over >= 0),
  sold_out INTEGER NOT NULL DEFAULT 0 CHECK (sold_out IN (0,1)),
  sold_out_time TEXT,                        -- HH:MM when known
  waste_reason TEXT CHECK (waste_reason IS NULL OR waste_reason IN ('unsold','damaged','production','expired')),
  waste_outcome TEXT CHECK (waste_outcome IS NULL OR waste_outcome IN ('discarded','donated','discounted')),
  note TEXT,
  updated_at TEXT NOT NULL,
  PRIMARY KEY (date, product_id)
);
CREATE INDEX daily_logs_product_date ON daily_logs (product_id, date);

-- Every change to a past entry, so an owner can see who changed what and when.
CREATE TABLE log_edits (
  id INTEGER PRIMARY KEY,
  date TEXT NOT NULL,
  product_id INTEGER NOT NULL REFERENCES products(id),
  field TEXT NOT NULL,
  old_value TEXT,
  new_value TEXT,
  edited_at TEXT NOT NULL
);
CREATE INDEX log_edits_day ON log_edits (date, product_id);

CREATE TABLE day_context (
  date TEXT PRIMARY KEY,
  closed INTEGER NOT NULL DEFAULT 0 CHECK (closed IN (0,1)),
  holiday INTEGER NOT NULL DEFAULT 0 CHECK (holiday IN (0,1)),
  holiday_name TEXT,
  temperature REAL,
  rain REAL
);

CREATE TABLE settings (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL                        -- JSON
);

CREATE TABLE model_versions (
  id INTEGER PRIMARY KEY,
  source TEXT NOT NULL CHECK (source IN ('local','global','adapted')),
  global_version INTEGER,                    -- the coordinator's version this derives from, if any
  feature_spec TEXT NOT NULL,                -- version of the feature spec the weights expect
  weights BLOB NOT NULL,
  weights_hash TEXT NOT NULL,
  metrics TEXT,                              -- JSON
  backend TEXT,
  created_at TEXT NOT NULL,
  active INTEGER NOT NULL DEFAULT 0 CHECK (active IN (0,1))
);

CREATE TABLE training_runs (
  id INTEGER PRIMARY KEY,
  started_at TEXT NOT NULL,
  finished_at TEXT,
  status TEXT NOT NULL CHECK (status IN ('running','succeeded','failed','cancelled')),
  trigger TEXT NOT NULL CHECK (trigger IN ('schedule','catch-up','manual','cli')),
  backend TEXT,
  samples INTEGER,
  epochs INTEGER,
  loss_before REAL,
  loss_after REAL,
  model_version_id INTEGER REFERENCES model_versions(id),
  error TEXT
);

CREATE TABLE forecasts (
  date TEXT NOT NULL,
  product_id INTEGER NOT NULL REFERENCES products(id),
  model_version_id INTEGER REFERENCES model_versions(id),
  p10 REAL NOT NULL, p25 REAL NOT NULL, p50 REAL NOT NULL, p75 REAL NOT NULL, p90 REAL NOT NULL,
  recommended_bake INTEGER NOT NULL,
  expected_waste REAL NOT NULL,
  created_at TEXT NOT NULL,
  PRIMARY KEY (date, product_id)
);

-- What waits to be sent; a row is removed only after the coordinator acknowledged it.
CREATE TABLE sync_outbox (
  id INTEGER PRIMARY KEY,
  kind TEXT NOT NULL,
  round_id INTEGER,
  idempotency_key TEXT NOT NULL UNIQUE,
  payload BLOB NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at TEXT NOT NULL,
  last_error TEXT,
  created_at TEXT NOT NULL
);

-- What left this bakery, for the owner to read and export.
CREATE TABLE sync_ledger (
  id INTEGER PRIMARY KEY,
  round_id INTEGER,
  kind TEXT NOT NULL,
  sent_at TEXT NOT NULL,
  bytes INTEGER NOT NULL,
  clip_norm REAL,
  noise_multiplier REAL,
  epsilon_spent REAL,
  payload_sha256 TEXT NOT NULL,
  summary TEXT                               -- JSON, plain-words description of the content
);
`;
