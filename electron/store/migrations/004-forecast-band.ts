// Applied migrations are hashed: never edit this text once released, add a new migration instead.
export default `
-- The model's own band edges and the level they were scaled by, kept beside the calibrated
-- band the bakery was shown: the next days' calibration compares what sold with the model's
-- band, never with an already calibrated one. NULL for forecasts stored before.
ALTER TABLE forecasts ADD COLUMN model_p10 REAL;
ALTER TABLE forecasts ADD COLUMN model_p90 REAL;
ALTER TABLE forecasts ADD COLUMN level REAL;
`;
