// Applied migrations are hashed: never edit this text once released, add a new migration instead.
export default `
-- One row per slot of the nightly schedule: of several coordinators whose clocks strike together,
-- the one that inserts the row starts the round.
CREATE TABLE scheduled_runs (
  slot TEXT PRIMARY KEY,                      -- the schedule's name and the slot's time (ISO)
  claimed_by TEXT NOT NULL,                   -- which coordinator instance
  claimed_at TEXT NOT NULL
);
`;
