/**
 * The wire protocol's version. Bump it when a request or response changes incompatibly; the
 * coordinator answers 426 to any shop below `minimumProtocolVersion` so an old app says
 * "please update" instead of failing obscurely.
 */
export const protocolVersion = 1;
export const minimumProtocolVersion = 1;

export const headers = {
  protocol: 'x-breadcast-protocol',
  shop: 'x-breadcast-shop',
  timestamp: 'x-breadcast-timestamp',
  nonce: 'x-breadcast-nonce',
  signature: 'x-breadcast-signature',
  csrf: 'x-csrf-token',
} as const;

/** How far a shop's signed timestamp may stray from the coordinator's clock. */
export const signatureWindowMs = 5 * 60 * 1000;
