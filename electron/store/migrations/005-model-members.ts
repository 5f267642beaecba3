// Applied migrations are hashed: never edit this text once released, add a new migration instead.
export default `
-- A forecast model made of several networks whose quantile forecasts are averaged: the rows of
-- one model version, in order, with each network's share. A version without rows here is the
-- single network in model_versions.weights (which holds the first member's weights otherwise).
CREATE TABLE model_members (
  model_version_id INTEGER NOT NULL REFERENCES model_versions(id),
  position INTEGER NOT NULL CHECK (position >= 0),
  weights BLOB NOT NULL,
  share REAL NOT NULL CHECK (share >= 0),
  PRIMARY KEY (model_version_id, position)
);
`;
