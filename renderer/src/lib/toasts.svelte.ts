export type ToastKind = 'info' | 'success' | 'error';
export type Toast = { id: number; kind: ToastKind; message: string };

let nextId = 1;
export const toasts = $state<Toast[]>([]);

/** Shows a short message; errors stay until dismissed because they usually need reading. */
export function toast(kind: ToastKind, message: string, timeoutMs = 4000): void {
  const id = nextId++;
  toasts.push({ id, kind, message });
  if (kind !== 'error') setTimeout(() => dismiss(id), timeoutMs);
}

export function dismiss(id: number): void {
  const index = toasts.findIndex((item) => item.id === id);
  if (index >= 0) toasts.splice(index, 1);
}
