/**
 * Spreadsheet-style movement through the daily entry's count cells (inputs marked with
 * data-row and data-col). Tab walks a row left to right (the browser does that: only count
 * cells are in the Tab order). Enter walks a column down, and from the last product on to the
 * top of the next column, so a baker can type all baked counts in the morning and all wasted
 * counts at closing with one key per cell; Shift+Enter walks back the same way. The arrow keys
 * move up and down within a column.
 */
export type Move = 'down' | 'up';
export type Cell = { row: number; col: number };

const byPosition = (a: Cell, b: Cell) => a.col - b.col || a.row - b.row;

/**
 * The cell Enter (down) or Shift+Enter (up) leads to, column by column; null past the last
 * (or before the first) cell. `wrap` false keeps the move inside the column (arrow keys).
 */
export function nextCell(cells: Cell[], from: Cell, move: Move, wrap = true): Cell | null {
  const order = [...cells].sort(byPosition);
  const at = order.findIndex((cell) => cell.row === from.row && cell.col === from.col);
  if (at < 0) return null;
  const next = order[move === 'down' ? at + 1 : at - 1] ?? null;
  if (!next || (!wrap && next.col !== from.col)) return null;
  return next;
}

function position(element: Element): Cell | null {
  const row = element.getAttribute('data-row');
  const col = element.getAttribute('data-col');
  return row === null || col === null ? null : { row: Number(row), col: Number(col) };
}

export function gridNav(node: HTMLElement): { destroy(): void } {
  const onKeydown = (event: KeyboardEvent) => {
    const target = event.target as HTMLElement;
    const from = position(target);
    if (!from || event.altKey || event.ctrlKey || event.metaKey || event.isComposing) return;
    let move: Move | null = null;
    let wrap = true;
    if (event.key === 'Enter') move = event.shiftKey ? 'up' : 'down';
    else if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      move = event.key === 'ArrowDown' ? 'down' : 'up';
      wrap = false;
    }
    if (!move) return;
    event.preventDefault();
    const elements = [...node.querySelectorAll<HTMLElement>('[data-row][data-col]')].filter(
      (element) => !(element as HTMLInputElement).disabled,
    );
    const cells = elements.map((element) => ({ element, ...position(element)! }));
    const to = nextCell(cells, from, move, wrap);
    const element = cells.find((cell) => cell.row === to?.row && cell.col === to?.col)?.element;
    if (element) element.focus();
    // Past the last cell: leaving the field lets its row save.
    else if (event.key === 'Enter') target.blur();
  };
  node.addEventListener('keydown', onKeydown);
  return { destroy: () => node.removeEventListener('keydown', onKeydown) };
}
