// Applied migrations are hashed: never edit this text once released, add a new migration instead.
export default `
-- Secure rounds are charged with the mechanism they ran, the distributed discrete Gaussian,
-- whose cost also depends on tau (how far the sum of the shares is from one discrete Gaussian)
-- and on the vector's dimension. Earlier rows get tau = 0: the continuous Gaussian's cost, which
-- is what they were counted at and what tau = 0 reduces to.
ALTER TABLE privacy_charges ADD COLUMN tau REAL NOT NULL DEFAULT 0 CHECK (tau >= 0);
ALTER TABLE privacy_charges ADD COLUMN dimension INTEGER NOT NULL DEFAULT 1 CHECK (dimension >= 1);
`;
