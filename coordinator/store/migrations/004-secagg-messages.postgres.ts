// Applied migrations are hashed: never edit this text once released, add a new migration instead.
export default `
-- Secure rounds gain the consistency check: the 'confirm' phase between collect and unmask.
ALTER TABLE rounds DROP CONSTRAINT rounds_phase_check;
ALTER TABLE rounds ADD CONSTRAINT rounds_phase_check
  CHECK (phase IN ('open','advertise','share','collect','confirm','unmask','aggregating','published','failed'));

-- One row per message a shop sent in a secure round (the round header stays in phase_state):
-- the digest of the body as received answers a retry with the first receipt; the body is what the
-- coordinator's steps read (a share message without its records, which go to secagg_shares; the
-- binary masked upload, dropped once the round ends); meta holds small facts read without the body.
CREATE TABLE secagg_messages (
  round_id integer NOT NULL REFERENCES rounds(id),
  shop_id text COLLATE "C" NOT NULL REFERENCES shops(id),
  kind text COLLATE "C" NOT NULL CHECK (kind IN ('advertise','shares','masked','confirm','unmask')),
  digest text COLLATE "C" NOT NULL,
  body bytea,
  meta text,
  received_at text COLLATE "C" NOT NULL,
  PRIMARY KEY (round_id, kind, shop_id)
);
-- Each encrypted share record by recipient, so a shop's collect view is one indexed read.
CREATE TABLE secagg_shares (
  round_id integer NOT NULL REFERENCES rounds(id),
  to_shop text COLLATE "C" NOT NULL REFERENCES shops(id),
  from_shop text COLLATE "C" NOT NULL REFERENCES shops(id),
  record text NOT NULL,
  PRIMARY KEY (round_id, to_shop, from_shop)
);
CREATE INDEX secagg_shares_from ON secagg_shares (round_id, from_shop);
`;
