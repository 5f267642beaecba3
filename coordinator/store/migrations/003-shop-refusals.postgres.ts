// Applied migrations are hashed: never edit this text once released, add a new migration instead.
export default `
-- Why a shop skipped a round under its own privacy policy (the signed refusal report): the
-- stage it had reached and the reasons as JSON codes with their numbers. One per shop and round.
CREATE TABLE round_refusals (
  round_id integer NOT NULL REFERENCES rounds(id),
  shop_id text COLLATE "C" NOT NULL REFERENCES shops(id),
  stage text COLLATE "C" NOT NULL CHECK (stage IN ('settings','roster')),
  reasons text NOT NULL,
  payload_sha256 text COLLATE "C" NOT NULL,
  received_at text COLLATE "C" NOT NULL,
  PRIMARY KEY (round_id, shop_id)
);
`;
