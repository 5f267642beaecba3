// Applied migrations are hashed: never edit this text once released, add a new migration instead.
export default `
-- Why a shop skipped a round under its own privacy policy (the signed refusal report): the
-- stage it had reached and the reasons as JSON codes with their numbers. One per shop and round.
CREATE TABLE round_refusals (
  round_id INTEGER NOT NULL REFERENCES rounds(id),
  shop_id TEXT NOT NULL REFERENCES shops(id),
  stage TEXT NOT NULL CHECK (stage IN ('settings','roster')),
  reasons TEXT NOT NULL,
  payload_sha256 TEXT NOT NULL,
  received_at TEXT NOT NULL,
  PRIMARY KEY (round_id, shop_id)
);
`;
