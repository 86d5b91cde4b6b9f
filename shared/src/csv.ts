/** CSV, read and written the same way by the BFF (imports, exports) and the staff console (result uploads). */

/**
 * RFC 4180 CSV: quoted fields may hold commas, quotes ("") and line breaks. A UTF-8 BOM (Excel's
 * default when saving "CSV UTF-8") is dropped. Returns rows with the 1-based line each starts on.
 */
export function parseCsv(text: string): { rows: Array<{ line: number; cells: string[] }>; error?: string } {
  const input = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const rows: Array<{ line: number; cells: string[] }> = [];
  let cells: string[] = [];
  let cell = '';
  let quoted = false;
  let line = 1;
  let rowLine = 1;
  let fieldStart = true;
  for (let i = 0; i < input.length; i += 1) {
    const ch = input[i];
    if (quoted) {
      if (ch === '"' && input[i + 1] === '"') {
        cell += '"';
        i += 1;
      } else if (ch === '"') quoted = false;
      else {
        if (ch === '\n') line += 1;
        cell += ch;
      }
      continue;
    }
    if (ch === '"' && fieldStart) {
      quoted = true;
      fieldStart = false;
    } else if (ch === ',') {
      cells.push(cell);
      cell = '';
      fieldStart = true;
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && input[i + 1] === '\n') i += 1;
      cells.push(cell);
      if (cells.some((c) => c !== '')) rows.push({ line: rowLine, cells });
      cells = [];
      cell = '';
      fieldStart = true;
      line += 1;
      rowLine = line;
    } else {
      cell += ch;
      fieldStart = false;
    }
  }
  if (quoted) return { rows, error: `line ${rowLine}: a quoted field is never closed` };
  cells.push(cell);
  if (cells.some((c) => c !== '')) rows.push({ line: rowLine, cells });
  return { rows };
}

/**
 * One CSV cell. A cell a spreadsheet would read as a formula (leading =, +, -, @, tab or CR) gets a
 * leading apostrophe (OWASP "CSV injection"); then cells with a quote, comma or line break are quoted.
 */
export function csvCell(value: string | number | null): string {
  if (value === null) return '';
  let text = typeof value === 'number' ? String(value) : value;
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Rows as objects keyed by the header row (cells trimmed), for files staff upload back. */
export function csvRecords(text: string): Record<string, string>[] {
  const [header, ...rows] = parseCsv(text).rows;
  if (!header) return [];
  return rows.map((r) => Object.fromEntries(header.cells.map((h, i) => [h.trim(), (r.cells[i] ?? '').trim()])));
}
