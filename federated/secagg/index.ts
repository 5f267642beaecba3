/** Secure aggregation (Bonawitz et al. 2017): the public surface used by the coordinator and the shop. */
export * from './types.ts';
export {
  SecAggError,
  type SecAggErrorCode,
  toBase64,
  fromBase64,
  wordsToBase64,
  wordsFromBase64,
} from './bytes.ts';
export { assertCryptoAvailable, ed25519RawFromSpki, ed25519RawFromPkcs8 } from './primitives.ts';
export { paramsDigest, validateParams, MAX_SHAMIR_SHARES, rosterSizeProblem } from './protocol.ts';
export { ringAddInPlace, ringSubInPlace } from './ring.ts';
export {
  advertiseKeys,
  verifyRoster,
  shareKeys,
  maskedInput,
  unmaskResponse,
  createShopIdentity,
  identityPublicKey,
  type ShopIdentity,
} from './client.ts';
export {
  createServerRound,
  acceptAdvertisement,
  roster,
  acceptShareKeys,
  routeShares,
  acceptMaskedInput,
  unmaskRequest,
  acceptUnmask,
  closePhase,
  recoverSum,
  recoveredSum,
  compactServerState,
} from './server.ts';
export * from './wire.ts';
