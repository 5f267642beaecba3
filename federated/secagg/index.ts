/**
 * Secure aggregation against a coordinator that cheats (Bonawitz et al. 2017, malicious-server
 * variant; SecAgg+ graphs from Bell et al. 2020): the public surface of the shop's and the
 * coordinator's steps, and the HTTP contract both sides speak.
 */
export { SecAggError, type SecAggErrorCode, toBase64, fromBase64 } from './bytes.ts';
export { assertCryptoAvailable, ed25519RawFromSpki, ed25519RawFromPkcs8 } from './primitives.ts';
export * from './round-types.ts';
export * from './round-http.ts';
export { roundConfig, minimumThreshold, type RoundConfig } from './round-config.ts';
export {
  advertiseKeys,
  shareKeys,
  maskedInput,
  createShopIdentity,
  type ShopIdentity,
} from './shop-round.ts';
export type { ShopRequirements } from './shop-checks.ts';
export { confirmSurvivors, unmaskResponse } from './shop-unmask.ts';
