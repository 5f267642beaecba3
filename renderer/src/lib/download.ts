/** Offers text as a file to save (browser download; Electron shows its save dialog). */
export function downloadText(fileName: string, content: string, mimeType = 'text/csv'): void {
  const url = URL.createObjectURL(new Blob([content], { type: `${mimeType};charset=utf-8` }));
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
