// Applied migrations are hashed: never edit this text once released, add a new migration instead.
export default `
CREATE TABLE scheduled_runs (
  slot text COLLATE "C" PRIMARY KEY,
  claimed_by text NOT NULL,
  claimed_at text COLLATE "C" NOT NULL
);
`;
