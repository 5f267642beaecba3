// Applied migrations are hashed: never edit this text once released, add a new migration instead.
export default `
-- A secure round's header (phase_state) holds its roster: hundreds of kilobytes at thousands of
-- shops. Every shop request needs the header, so requests read this tag instead, a fresh random
-- value each time the header is written, and parse the header once per tag.
ALTER TABLE rounds ADD COLUMN phase_state_tag TEXT;
UPDATE rounds SET phase_state_tag = lower(hex(randomblob(16))) WHERE phase_state IS NOT NULL;
`;
