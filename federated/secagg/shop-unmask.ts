/**
 * The shop's side of the consistency check and of unmasking (Bonawitz et al. 2017, rounds 3 and
 * 4 of the malicious-server protocol). A shop signs one survivor set per round, and reveals shares
 * only for a set that at least T shops of the roster signed: a coordinator showing different sets
 * to different shops cannot collect T signatures on two of them, because T > 2n/3 and honest shops
 * sign once. Which secret of which shop was revealed is part of the persisted state, so no later
 * request can obtain the other one.
 */
import { SecAggError, toBase64 } from './bytes.ts';
import { signEd25519, verifyEd25519 } from './primitives.ts';
import { pairwiseMaskKey } from './protocol.ts';
import { confirmBytes } from './round-protocol.ts';
import type {
  ClientState,
  Confirmation,
  ConfirmRequest,
  UnmaskMessage,
  UnmaskRequest,
} from './round-types.ts';
import type { ShareOpening } from './shamir.ts';
import type { SignatureCheck } from './shop-checks.ts';
import type { ShopIdentity, Step } from './shop-round.ts';

/** Survivor sets hold up to n ids: each list is sorted once, not once per element compared. */
function sameSet(a: string[], b: string[]): boolean {
  if (a.length !== b.length) return false;
  const x = [...a].sort();
  const y = [...b].sort();
  return x.every((id, i) => id === y[i]);
}

/** Checks U3 against what this shop knows, before it signs or answers for it. */
function checkSurvivors(state: ClientState, survivors: string[]): void {
  const config = state.config!;
  const me = state.shopId;
  const members = new Set(state.roster!.map((e) => e.shopId));
  if (new Set(survivors).size !== survivors.length || survivors.some((id) => !members.has(id)))
    throw new SecAggError(
      'survivors-invalid',
      'the survivor set repeats a shop or names a stranger',
    );
  if (!survivors.includes(me))
    throw new SecAggError('survivors-invalid', 'our upload is not among the survivors');
  if (survivors.length < config.minSurvivors)
    throw new SecAggError(
      'survivors-invalid',
      `${survivors.length} survivors, the round needs ${config.minSurvivors}`,
    );
  // A neighbour listed as a survivor whose mask is not in our upload would leave it unmasked.
  const maskedWith = new Set(state.maskedWith);
  const listed = new Set(survivors);
  const stranger = state.neighbours!.find((v) => listed.has(v) && !maskedWith.has(v));
  if (stranger)
    throw new SecAggError(
      'survivors-invalid',
      `${stranger} is listed as a survivor but is not masked with us`,
    );
  // Our own neighbourhood must keep t survivors: otherwise dropping our neighbours would strip
  // our pairwise masks while our self mask is revealed by the few that are left.
  const around = [...state.neighbours!, me].filter((id) => listed.has(id)).length;
  if (around < config.threshold)
    throw new SecAggError(
      'survivors-too-sparse',
      `${around} survivors around us, the threshold is ${config.threshold}`,
    );
}

/** Consistency check: sign the survivor set U3 — once per round, whatever is asked later. */
export function confirmSurvivors(
  state: ClientState,
  identity: ShopIdentity,
  request: ConfirmRequest,
): Step<Confirmation> {
  if (state.confirmed) {
    if (sameSet(state.confirmed.survivors, request.survivors))
      return { state, message: state.confirmed.confirmation };
    throw new SecAggError('survivors-changed', 'this shop already signed a different survivor set');
  }
  if (state.phase !== 'masked')
    throw new SecAggError('wrong-phase', `cannot confirm survivors in phase ${state.phase}`);
  const survivors = [...request.survivors].sort();
  checkSurvivors(state, survivors);
  const confirmation: Confirmation = {
    shopId: state.shopId,
    signature: signEd25519(
      identity.secretKey,
      confirmBytes(state.paramsDigest, state.rosterHash!, survivors),
    ),
  };
  return {
    state: { ...state, phase: 'confirmed', confirmed: { survivors, confirmation } },
    message: confirmation,
  };
}

/**
 * The valid confirmations: distinct survivors whose roster identity signed exactly our set.
 * Counting stops at `enough`: more valid signatures change nothing, and each check costs a verify.
 */
function countConfirmations(
  state: ClientState,
  survivors: string[],
  confirmations: Confirmation[],
  enough: number,
  verify: SignatureCheck,
) {
  const identities = new Map(state.roster!.map((e) => [e.shopId, e.identityKey]));
  const listed = new Set(survivors);
  const bytes = confirmBytes(state.paramsDigest, state.rosterHash!, survivors);
  const signers = new Set<string>();
  for (const c of confirmations) {
    if (signers.has(c.shopId) || !listed.has(c.shopId)) continue;
    if (verify(identities.get(c.shopId)!, bytes, c.signature)) signers.add(c.shopId);
    if (signers.size >= enough) break;
  }
  return signers.size;
}

/**
 * Unmasking: for the set this shop signed, and only once T survivors signed the same set, reveal
 * self-mask shares of survivors, mask-key shares of the others, and the pairwise keys this shop
 * used with non-survivors. Then forget every secret of the round.
 */
export function unmaskResponse(
  state: ClientState,
  request: UnmaskRequest,
  verify: SignatureCheck = verifyEd25519,
): Step<UnmaskMessage> {
  const confirmed = state.confirmed;
  if (state.phase === 'unmasked' && confirmed && state.unmaskMessage) {
    if (sameSet(confirmed.survivors, request.survivors))
      return { state, message: state.unmaskMessage };
    throw new SecAggError(
      'survivors-changed',
      'this shop already answered for another survivor set',
    );
  }
  if (state.phase !== 'confirmed' || !confirmed)
    throw new SecAggError('wrong-phase', `cannot unmask in phase ${state.phase}`);
  if (!sameSet(confirmed.survivors, request.survivors))
    throw new SecAggError(
      'survivors-changed',
      'the unmask request names another survivor set than the one this shop signed',
    );
  const survivors = confirmed.survivors;
  const valid = countConfirmations(
    state,
    survivors,
    request.confirmations,
    state.config!.minSurvivors,
    verify,
  );
  if (valid < state.config!.minSurvivors)
    throw new SecAggError(
      'confirmations-insufficient',
      `${valid} valid signatures over the survivor set, the round needs ${state.config!.minSurvivors}`,
    );
  const listed = new Set(survivors);
  const disclosed = { ...state.disclosed };
  const reveal = (owner: string, kind: 'self-mask' | 'mask-key') => {
    if (disclosed[owner] && disclosed[owner] !== kind)
      throw new SecAggError('disclosure-conflict', `${owner}'s other secret was already revealed`);
    disclosed[owner] = kind;
  };
  const selfMaskShares: Record<string, ShareOpening> = {};
  const maskKeyShares: Record<string, ShareOpening> = {};
  for (const [owner, bundle] of Object.entries(state.heldShares ?? {})) {
    if (listed.has(owner)) {
      reveal(owner, 'self-mask');
      selfMaskShares[owner] = bundle.selfMask;
    } else {
      reveal(owner, 'mask-key');
      maskKeyShares[owner] = bundle.maskKey;
    }
  }
  const roster = new Map(state.roster!.map((e) => [e.shopId, e]));
  const pairwiseKeys: Record<string, string> = {};
  for (const d of (state.maskedWith ?? []).filter((id) => !listed.has(id))) {
    reveal(d, 'mask-key');
    const key = pairwiseMaskKey(
      state.paramsDigest,
      state.maskKeys.secretKey,
      roster.get(d)!.maskKey,
      state.shopId,
      d,
      state.maskKeys.publicKey,
    );
    pairwiseKeys[d] = toBase64(key);
  }
  const message: UnmaskMessage = {
    shopId: state.shopId,
    selfMaskShares,
    maskKeyShares,
    pairwiseKeys,
  };
  // The round is over for this shop: drop every secret, keep only what a retry must resend.
  const next: ClientState = {
    ...state,
    phase: 'unmasked',
    maskKeys: { publicKey: state.maskKeys.publicKey, secretKey: '' },
    shareKeySecrets: [],
    selfMaskSeed: '',
    heldShares: {},
    disclosed,
    unmaskMessage: message,
  };
  return { state: next, message };
}
