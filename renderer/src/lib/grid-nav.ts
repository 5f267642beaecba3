/**
 * Spreadsheet-style movement for a table of inputs marked with data-row and data-col:
 * Enter goes down the same column (Shift+Enter up), and in count fields the arrow keys do
 * too. Tab keeps its normal left-to-right order.
 */
export type Move = 'down' | 'up';

/** The cell to focus from (row, col) in a grid where some cells may be absent or disabled. */
export function nextCell(
  cells: { row: number; col: number }[],
  from: { row: number; col: number },
  move: Move,
): { row: number; col: number } | null {
  const step = move === 'down' ? 1 : -1;
  const rows = [...new Set(cells.map((cell) => cell.row))].sort((a, b) => (a - b) * step);
  for (const row of rows) {
    if ((row - from.row) * step <= 0) continue;
    const inRow = cells.filter((cell) => cell.row === row);
    const same = inRow.find((cell) => cell.col === from.col);
    if (same) return same;
    // The column is absent in that row (e.g. no waste reason without waste): nearest to the left.
    const left = inRow.filter((cell) => cell.col < from.col).sort((a, b) => b.col - a.col)[0];
    if (left) return left;
  }
  return null;
}

function position(element: Element): { row: number; col: number } | null {
  const row = element.getAttribute('data-row');
  const col = element.getAttribute('data-col');
  return row === null || col === null ? null : { row: Number(row), col: Number(col) };
}

export function gridNav(node: HTMLElement): { destroy(): void } {
  const onKeydown = (event: KeyboardEvent) => {
    const target = event.target as HTMLElement;
    const from = position(target);
    if (!from || event.altKey || event.ctrlKey || event.metaKey) return;
    let move: Move | null = null;
    if (event.key === 'Enter') move = event.shiftKey ? 'up' : 'down';
    else if (target.dataset.count !== undefined && event.key === 'ArrowDown') move = 'down';
    else if (target.dataset.count !== undefined && event.key === 'ArrowUp') move = 'up';
    if (!move) return;
    event.preventDefault();
    const elements = [...node.querySelectorAll<HTMLElement>('[data-row][data-col]')].filter(
      (element) => !(element as HTMLInputElement).disabled,
    );
    const cells = elements.map((element) => ({ element, ...position(element)! }));
    const to = nextCell(cells, from, move);
    const element = cells.find((cell) => cell.row === to?.row && cell.col === to?.col)?.element;
    if (element) {
      element.focus();
      if (element instanceof HTMLInputElement && element.type === 'text') element.select();
    } else {
      // Past the last row: leaving the field lets the row save.
      target.blur();
    }
  };
  node.addEventListener('keydown', onKeydown);
  return { destroy: () => node.removeEventListener('keydown', onKeydown) };
}
