import { createReadStream, statSync } from 'node:fs';
import { maxImportBytes, type ImportProblem } from '../../api/contract/imports.ts';
import { describeMessage } from '../../api/dispatcher.ts';

/** Decoded text of a CSV, in chunks, with the encoding checked as it streams by. */
export type CsvSource = {
  totalBytes: number;
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

export function stringSource(text: string): CsvSource {
  const totalBytes = Buffer.byteLength(text);
  return {
    totalBytes,
    async *chunks() {
      if (totalBytes > maxImportBytes) throw new FatalImportProblem(tooLarge(totalBytes));
      for (let at = 0; at < text.length; at += chunkChars) yield text.slice(at, at + chunkChars);
    },
  };
}

/** Streams a file so a big export never sits in memory twice. */
export function fileSource(path: string): CsvSource {
  const totalBytes = statSync(path).size;
  return {
    totalBytes,
    async *chunks() {
      if (totalBytes > maxImportBytes) throw new FatalImportProblem(tooLarge(totalBytes));
      const decoder = new TextDecoder('utf-8', { fatal: false, ignoreBOM: false });
      let first = true;
      for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
        const bytes = chunk as Buffer;
        if (first) {
          first = false;
          if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff))
            throw new FatalImportProblem({
              line: 1,
              column: null,
              reason: { code: 'import.utf16', params: {} },
            });
        }
        yield decoder.decode(bytes, { stream: true });
      }
      const rest = decoder.decode();
      if (rest) yield rest;
    },
  };
}

/**
 * Passes the text through, refusing it at the first sign of a wrong encoding: bytes that are
 * not UTF-8 (decoded as U+FFFD, typical of Windows-1252 exports) or NUL characters (UTF-16).
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
