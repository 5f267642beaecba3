import { createReadStream, statSync } from 'node:fs';
import { maxImportBytes, type ImportProblem } from '../../api/contract/imports.ts';
import { describeMessage } from '../../api/dispatcher.ts';

export type SourceEncoding = 'utf-8' | 'windows-1252';

/** Decoded text of a CSV, in chunks, with the encoding checked as it streams by. */
export type CsvSource = {
  totalBytes: number;
  /** How the bytes are decoded: UTF-8 when they are valid UTF-8, else the Windows code page. */
  encoding: () => Promise<SourceEncoding>;
  /** The start of the text (about 1 MiB), from which the dialect is sniffed. */
  sample: () => Promise<string>;
  chunks: () => AsyncIterable<string>;
};

export class FatalImportProblem extends Error {
  constructor(readonly problem: ImportProblem) {
    super(describeMessage(problem.reason));
  }
}

export function tooLarge(bytes: number): ImportProblem {
  return {
    line: 0,
    column: null,
    reason: { code: 'import.fileTooLarge', params: { bytes, maxBytes: maxImportBytes } },
  };
}

const chunkChars = 1 << 20;
const sampleBytes = 1 << 20;

export function stringSource(text: string): CsvSource {
  const totalBytes = Buffer.byteLength(text);
  return {
    totalBytes,
    encoding: async () => 'utf-8',
    sample: async () => text.slice(0, sampleBytes),
    async *chunks() {
      if (totalBytes > maxImportBytes) throw new FatalImportProblem(tooLarge(totalBytes));
      for (let at = 0; at < text.length; at += chunkChars) yield text.slice(at, at + chunkChars);
    },
  };
}

/**
 * A CSV as bytes (a file, or what the app's file picker read). Excel on a German or French PC
 * saves "CSV (Trennzeichen-getrennt)" in Windows-1252, not UTF-8: the bytes are read once to
 * see whether they are valid UTF-8, and decoded as Windows-1252 otherwise. UTF-16 is refused.
 */
function byteSource(totalBytes: number, read: () => AsyncIterable<Uint8Array>): CsvSource {
  let found: Promise<SourceEncoding> | null = null;
  const detect = async (): Promise<SourceEncoding> => {
    if (totalBytes > maxImportBytes) throw new FatalImportProblem(tooLarge(totalBytes));
    const strict = new TextDecoder('utf-8', { fatal: true });
    let first = true;
    try {
      for await (const bytes of read()) {
        if (first) {
          first = false;
          if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff))
            throw new FatalImportProblem({
              line: 1,
              column: null,
              reason: { code: 'import.utf16', params: {} },
            });
        }
        strict.decode(bytes, { stream: true });
      }
      strict.decode();
      return 'utf-8';
    } catch (error) {
      if (error instanceof FatalImportProblem) throw error;
      return 'windows-1252';
    }
  };
  const encoding = () => (found ??= detect());
  async function* decoded(limit = Infinity): AsyncIterable<string> {
    const decoder = new TextDecoder(await encoding(), { fatal: false, ignoreBOM: false });
    let seen = 0;
    for await (const bytes of read()) {
      yield decoder.decode(bytes, { stream: true });
      seen += bytes.length;
      if (seen >= limit) return;
    }
    const rest = decoder.decode();
    if (rest) yield rest;
  }
  return {
    totalBytes,
    encoding,
    async sample() {
      let text = '';
      for await (const chunk of decoded(sampleBytes)) text += chunk;
      return text;
    },
    chunks: () => decoded(),
  };
}

/** Streams a file so a big export never sits in memory twice. */
export function fileSource(path: string): CsvSource {
  return byteSource(
    statSync(path).size,
    () => createReadStream(path, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>,
  );
}

/** A file's bytes already in memory (the app sends them base64-encoded). */
export function bytesSource(bytes: Uint8Array): CsvSource {
  return byteSource(bytes.length, async function* () {
    for (let at = 0; at < bytes.length; at += chunkChars) yield bytes.subarray(at, at + chunkChars);
  });
}

/**
 * Passes the text through, refusing it at the first sign of a wrong encoding: text that was
 * decoded as UTF-8 although it was not (U+FFFD, when the app sent text instead of bytes) or NUL
 * characters (UTF-16 without a byte-order mark).
 */
export async function* checkEncoding(chunks: AsyncIterable<string>): AsyncIterable<string> {
  let line = 1;
  for await (const chunk of chunks) {
    const replaced = chunk.indexOf('\uFFFD');
    const nul = chunk.indexOf('\u0000');
    const bad = replaced < 0 ? nul : nul < 0 ? replaced : Math.min(replaced, nul);
    if (bad >= 0) {
      const before = chunk.slice(0, bad);
      const at = line + (before.match(/\n/g)?.length ?? 0);
      const utf16 = chunk[bad] === '\u0000';
      throw new FatalImportProblem({
        line: at,
        column: null,
        reason: { code: utf16 ? 'import.nulCharacters' : 'import.notUtf8', params: { line: at } },
      });
    }
    line += chunk.match(/\n/g)?.length ?? 0;
    yield chunk;
  }
}
