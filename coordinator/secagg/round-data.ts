/**
 * What the coordinator reads back from a secure round's rows: the graph, the advertised share
 * keys with their Merkle trees, and each shop's share message with its records. Everything
 * fixed once advertising closed is cached per round and roster (the same for every instance on
 * the store, since it is derived from rows that no longer change).
 */
import { MerkleTree } from '../../federated/secagg/merkle.ts';
import { roundGraphOf } from '../../federated/secagg/coordinator-round.ts';
import type { RoundGraph } from '../../federated/secagg/round-protocol.ts';
import type {
  AdvertisementMessage,
  ShareKeysMessage,
  ShareRecord,
} from '../../federated/secagg/round-types.ts';
import { messagesOf, recordsFrom } from '../store/secagg.ts';
import type { Sql } from '../store/sql.ts';
import type { SecureHeader } from './state.ts';

export type ShareHeader = Omit<ShareKeysMessage, 'shares'>;

type Fixed = {
  key: string;
  graph: RoundGraph;
  adverts: Map<string, AdvertisementMessage>;
  trees: Map<string, MerkleTree>;
  /**
   * Documents every shop of a phase reads alike (the roster, the survivor set, the unmask
   * request), serialised once: each is fixed from its phase on, so its bytes never change.
   */
  documents: Map<string, Buffer>;
};

// A coordinator runs one round at a time; keep the last two in case of a quick succession.
const fixed = new Map<number, Fixed>();

const textOf = (body: Buffer | null) => (body ? body.toString('utf8') : 'null');

/** Adverts, graph and trees of a round whose advertising closed. */
export async function roundData(sql: Sql, roundId: number, header: SecureHeader): Promise<Fixed> {
  const key = `${header.paramsDigest}:${header.rosterHash}`;
  const known = fixed.get(roundId);
  if (known?.key === key) return known;
  const rows = await messagesOf(sql, roundId, 'advertise');
  const adverts = new Map(
    rows.map((r) => [r.shop_id, JSON.parse(textOf(r.body)) as AdvertisementMessage]),
  );
  const data: Fixed = {
    key,
    graph: roundGraphOf(header),
    adverts,
    trees: new Map(),
    documents: new Map(),
  };
  if (fixed.size >= 2) fixed.delete(fixed.keys().next().value!);
  fixed.set(roundId, data);
  return data;
}

/** A shared document of the round as JSON bytes, built by `build` the first time it is asked for. */
export function documentOf(data: Fixed, name: string, build: () => unknown): Buffer {
  let bytes = data.documents.get(name);
  if (!bytes) {
    bytes = Buffer.from(JSON.stringify(build()));
    data.documents.set(name, bytes);
  }
  return bytes;
}

export function treeOf(data: Fixed, id: string): { keys: string[]; tree: MerkleTree } {
  const keys = data.adverts.get(id)!.shareKeys;
  let tree = data.trees.get(id);
  if (!tree) {
    tree = new MerkleTree(keys);
    data.trees.set(id, tree);
  }
  return { keys, tree };
}

/**
 * Full share messages of some senders: the stored header with its records in the order of the
 * sender's neighbours (the order the core reads them by key index).
 */
export async function shareMessages(
  sql: Sql,
  roundId: number,
  graph: RoundGraph,
  senders: readonly string[],
): Promise<Map<string, ShareKeysMessage>> {
  const heads = await messagesOf(sql, roundId, 'shares', senders);
  const records = await recordsFrom(
    sql,
    roundId,
    heads.map((h) => h.shop_id),
  );
  const out = new Map<string, ShareKeysMessage>();
  for (const head of heads) {
    const byRecipient = records.get(head.shop_id)!;
    const shares = graph
      .neighbours(head.shop_id)
      .map((v) => JSON.parse(byRecipient.get(v)!) as ShareRecord);
    out.set(head.shop_id, { ...(JSON.parse(textOf(head.body)) as ShareHeader), shares });
  }
  return out;
}
