/**
 * The shapes of one active-adversary SecAgg round (Bonawitz et al., CCS 2017, the malicious-server
 * variant, with SecAgg+ neighbourhoods from Bell et al., CCS 2020). Every object is plain JSON, so
 * the coordinator can keep each message as a row and a shop can resume after a crash. Shops are
 * identified by their coordinator-issued id; "v > u" means string order of ids.
 *
 * Phases: advertise → share → collect (masked inputs, share reports) → confirm (every survivor
 * signs the survivor set: the consistency check) → unmask.
 */
import type { RoundConfig, GraphChoice } from './round-config.ts';
import type { SecretKind, ShareOpening } from './shamir.ts';

/** Fixed when the round opens; its digest is bound into every signature and derived key. */
export type SecAggParams = {
  roundId: string;
  /** Ring elements per upload. */
  vectorLength: number;
  /** k of Z_{2^k}; 32 unless a test wants a small ring. */
  modulusBits: number;
  /** The most shops the roster may hold: the enrolled, non-revoked shops when the round opened. */
  maxShops: number;
  /** c, the colluders the round must withstand; null: floor(n/3) of the signed roster. */
  colluders: number | null;
  /** 'auto': SecAgg+ where it beats the complete graph (measured break-even); or forced either way. */
  graph: GraphChoice;
};

/** AdvertiseKeys: the mask key, and the Merkle root of the per-sender share keys, signed. */
export type Advertisement = {
  shopId: string;
  /** X25519 public key of the pairwise masks (its secret is Shamir-shared). */
  maskKey: string;
  /** Merkle root over `shareKeyCount` X25519 keys; sender number j of this shop uses key j. */
  shareKeysRoot: string;
  shareKeyCount: number;
  /**
   * X25519 public key this shop encrypts its shares with (against each recipient's share key).
   * Signed here, so a share ciphertext that authenticates can only come from this shop.
   */
  senderKey: string;
  /** Ed25519 signature by the shop's enrolled identity over the round digest and the fields above. */
  signature: string;
};

/** What a shop uploads: the advertisement plus the share keys themselves (kept by the coordinator). */
export type AdvertisementMessage = Advertisement & { shareKeys: string[] };

/** A roster line: the advertisement with the identity key that must have signed it. */
export type RosterEntry = Advertisement & { identityKey: string };

/** One neighbour's share key for this shop, with its path to the neighbour's signed root. */
export type ShareKeyFor = { shopId: string; index: number; key: string; path: string[] };

/**
 * One shop's encrypted Shamir shares for one neighbour (the sender's advertised sender key against
 * the recipient's share key number `keyIndex`, X25519, HKDF-SHA256, AES-256-GCM), with hiding
 * commitments to both shares and the sender's signature over all of it, bound to the roster it saw.
 * The signature is the recipient's proof against the sender when the record fails; a record that
 * decrypts needs no other proof of its origin (docs/privacy.md).
 */
export type ShareRecord = {
  from: string;
  to: string;
  rosterHash: string;
  keyIndex: number;
  ciphertext: string;
  selfMaskCommitment: string;
  maskKeyCommitment: string;
  signature: string;
};

export type ShareKeysMessage = {
  shopId: string;
  rosterHash: string;
  /** SHA-256 commitment to the self-mask seed b, so a wrong reconstruction is detected. */
  seedCommitment: string;
  /** Commitments to the two shares the shop keeps for itself. */
  ownCommitments: { selfMask: string; maskKey: string };
  shares: ShareRecord[];
};

/** Why a recipient rejects a share record. */
export type ReportReason =
  'bad-signature' | 'wrong-key-index' | 'undecryptable' | 'bad-plaintext' | 'commitment-mismatch';

/**
 * A recipient's proof that a sender misbehaved. With a valid sender signature the recipient adds
 * the secret of the one share key that sender used: it decrypts that record only, so the report
 * reveals nothing but what the accused itself sent.
 */
export type ShareReport = {
  reason: ReportReason;
  record: ShareRecord;
  shareSecretKey: string | null;
};

/** MaskedInputCollection: whose pairwise masks y_u holds, and any share reports. */
export type MaskedUploadHeader = {
  shopId: string;
  maskedWith: string[];
  reports: ShareReport[];
};

/** The upload as the shop keeps it (plain JSON): y_u as base64 of little-endian uint32 words. */
export type MaskedInputMessage = MaskedUploadHeader & { masked: string };

/** The upload as the coordinator reads it off the wire (round-wire.ts: parseMaskedUpload). */
export type MaskedUpload = MaskedUploadHeader & { masked: Uint32Array };

/** ConsistencyCheck: the survivor set U3 the coordinator announces; each survivor signs it. */
export type ConfirmRequest = { survivors: string[] };
export type Confirmation = { shopId: string; signature: string };

/** Unmasking: U3 again, with the signatures of at least T survivors over it. */
export type UnmaskRequest = { survivors: string[]; confirmations: Confirmation[] };

/**
 * Unmasking answer: self-mask shares of survivors, mask-key shares of the others, and this
 * shop's pairwise mask keys with non-survivors it masked with — never a self-mask share and a
 * key of the same shop.
 */
export type UnmaskMessage = {
  shopId: string;
  selfMaskShares: Record<string, ShareOpening>;
  maskKeyShares: Record<string, ShareOpening>;
  pairwiseKeys: Record<string, string>;
};

export type ClientPhase = 'advertised' | 'shared' | 'masked' | 'confirmed' | 'unmasked';

/** A shop's private state for one round; persist it whole after every step, before sending. */
export type ClientState = {
  version: 2;
  params: SecAggParams;
  paramsDigest: string;
  shopId: string;
  phase: ClientPhase;
  maskKeys: { publicKey: string; secretKey: string };
  /** Secret of the advertised sender key; used once, to encrypt the shares, then wiped. */
  senderSecretKey?: string;
  /** Secrets of this round's share keys (number j for neighbour number j); wiped after unmasking. */
  shareKeySecrets: string[];
  advertisement: AdvertisementMessage;
  roster?: RosterEntry[];
  rosterHash?: string;
  config?: RoundConfig;
  /** This shop's neighbours, sorted; sender number j of this shop is neighbours[j]. */
  neighbours?: string[];
  selfMaskSeed?: string;
  shareMessage?: ShareKeysMessage;
  /** Shares this shop holds, by owner (itself included), with the nonces that open them. */
  heldShares?: Record<string, { selfMask: ShareOpening; maskKey: ShareOpening }>;
  maskedWith?: string[];
  /** Kept so a retried upload is byte-identical instead of a second, different masking. */
  maskedInput?: MaskedInputMessage;
  /** The one survivor set this shop signed; any other is refused. */
  confirmed?: { survivors: string[]; confirmation: Confirmation };
  /**
   * Which secret of each shop this shop has revealed. Checked before every answer, so no request
   * (a retry, a replay, a crafted one) ever gets the other secret of the same shop.
   */
  disclosed: Record<string, SecretKind>;
  unmaskMessage?: UnmaskMessage;
};

export type ServerPhase =
  'advertise' | 'share' | 'collect' | 'confirm' | 'unmask' | 'done' | 'failed';

/**
 * The coordinator's round header: small, rewritten at phase changes only. Each shop's messages
 * are kept beside it (one row each); the functions in coordinator-round.ts take what they need.
 */
export type ServerRound = {
  version: 2;
  params: SecAggParams;
  paramsDigest: string;
  /** Enrolled shops' Ed25519 identity keys, by shop id. */
  identities: Record<string, string>;
  phase: ServerPhase;
  roster?: RosterEntry[];
  rosterHash?: string;
  config?: RoundConfig;
  /** U2, fixed when the share phase closes. */
  sharers?: string[];
  /** Shops dropped by proof of misbehaviour, with the reason. */
  convicted: Record<string, string>;
  /** Shops dropped for other reasons (revoked mid-round). */
  excluded: Record<string, string>;
  /** U3, fixed when the collect phase closes. */
  survivors?: string[];
  /** The signatures over U3, fixed when the confirm phase closes. */
  confirmations?: Confirmation[];
  failure?: { code: string; message: string };
};
