/**
 * The JSON shapes of one SecAgg round (Bonawitz et al., CCS 2017, "Practical Secure Aggregation
 * for Privacy-Preserving Machine Learning"). All bytes are base64 strings and every object is
 * plain data, so the coordinator can keep round state in SQLite and a shop can resume after a
 * crash. Shops are identified by their coordinator-issued id; "v > u" means string order of ids.
 */

/** Fixed by the coordinator when a round opens; a digest of it is bound into every signature. */
export type SecAggParams = {
  roundId: string;
  /** t: shares needed to rebuild a secret, and the fewest shops allowed at every phase. */
  threshold: number;
  /** Ring elements per upload (model parameters, plus one if adaptive clipping is on). */
  vectorLength: number;
  /** k of Z_{2^k}; 32 unless a test wants a small ring. */
  modulusBits: number;
  /**
   * SecAgg+ (Bell et al., CCS 2020): when set, each shop masks with and shares its secrets
   * among only this many neighbours (even, ≥ 2) on a ring ordered by a hash of the round, and t
   * counts within each neighbourhood of neighbours + 1. Absent or null: the complete graph.
   */
  neighbours?: number | null;
};

/** Round 0 (AdvertiseKeys): two fresh X25519 public keys, signed with the shop's Ed25519 identity. */
export type Advertisement = {
  shopId: string;
  /** c: key agreement for encrypting Shamir shares to each peer. */
  cPublicKey: string;
  /** s: key agreement for the pairwise masks. */
  sPublicKey: string;
  signature: string;
};

/** What shops see of the roster: each advertisement with the identity key that must have signed it. */
export type RosterEntry = Advertisement & { identityKey: string };

/** One Shamir-share bundle for one peer, AES-256-GCM-encrypted under the c-key agreement. */
export type EncryptedShare = { from: string; to: string; ciphertext: string };

/** Round 1 (ShareKeys) upload. */
export type ShareKeysMessage = {
  shopId: string;
  /** SHA-256 commitment to the self-mask seed b, so a wrong reconstruction is detected. */
  selfMaskCommitment: string;
  shares: EncryptedShare[];
};

/** Round 2 (MaskedInputCollection) upload: y_u as base64 of little-endian uint32 words. */
export type MaskedInputMessage = { shopId: string; masked: string };

/** Round 3 (Unmasking) request from the server: who uploaded, and who dropped after sharing. */
export type UnmaskRequest = { survivors: string[]; dropped: string[] };

/** Round 3 answer: b-shares of survivors, s-key shares of dropped shops — never both for one shop. */
export type UnmaskMessage = {
  shopId: string;
  selfMaskShares: Record<string, string>;
  pairwiseKeyShares: Record<string, string>;
};

/** A shop's private state for one round; persist it whole after every step. */
export type ClientState = {
  version: 1;
  params: SecAggParams;
  paramsDigest: string;
  shopId: string;
  phase: 'advertised' | 'shared' | 'masked' | 'unmasked';
  cKeys: { publicKey: string; secretKey: string };
  sKeys: { publicKey: string; secretKey: string };
  advertisement: Advertisement;
  /** Verified roster the shop shared to (after shareKeys), sorted by shop id. */
  roster?: RosterEntry[];
  selfMaskSeed?: string;
  shareMessage?: ShareKeysMessage;
  /** Shares this shop holds, by owner (including its own): b-share and s-key share. */
  heldShares?: Record<string, { selfMask: string; pairwiseKey: string }>;
  /** U2 as this shop saw it: the peers whose pairwise masks are in its upload. */
  maskedWith?: string[];
  /** Kept so a retried upload is byte-identical instead of a second, different masking. */
  maskedInput?: MaskedInputMessage;
  /** The one partition this shop agreed to reveal for; any other request is refused. */
  revealed?: UnmaskRequest;
  unmaskMessage?: UnmaskMessage;
};

export type ServerPhase = 'advertise' | 'share' | 'upload' | 'unmask' | 'done' | 'failed';

/** The coordinator's state for one round; it never holds anything that unmasks a single shop. */
export type ServerState = {
  version: 1;
  params: SecAggParams;
  paramsDigest: string;
  /** Enrolled shops' Ed25519 identity keys, by shop id. */
  identities: Record<string, string>;
  phase: ServerPhase;
  advertisements: Record<string, Advertisement>;
  /** U1, fixed when the advertise phase closes. */
  roster?: RosterEntry[];
  shareMessages: Record<string, ShareKeysMessage>;
  /** U2, fixed when the share phase closes. */
  sharers?: string[];
  maskedInputs: Record<string, string>;
  /** U3 and U2 \ U3, fixed when the upload phase closes. */
  unmaskRequest?: UnmaskRequest;
  unmaskMessages: Record<string, UnmaskMessage>;
  /** The unmasked sum of the survivors' ring vectors (base64 words), once recovered. */
  sum?: string;
  failure?: string;
};
