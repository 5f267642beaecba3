export type ReadFile = { text: string; encoding: 'utf-8' | 'windows-1252'; bytes: number };

/**
 * Reads a CSV chosen in the page. UTF-8 is expected; a file that is not valid UTF-8 (typical
 * of older German and French tills exporting Windows-1252) is decoded as Windows-1252 and the
 * screen says so, rather than importing replacement characters.
 */
export async function readCsvFile(file: Blob): Promise<ReadFile> {
  const buffer = await file.arrayBuffer();
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(buffer);
    return { text, encoding: 'utf-8', bytes: buffer.byteLength };
  } catch {
    return {
      text: new TextDecoder('windows-1252').decode(buffer),
      encoding: 'windows-1252',
      bytes: buffer.byteLength,
    };
  }
}
