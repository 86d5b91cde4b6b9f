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
 * One CSV cell. Text a spreadsheet would read as a formula (leading =, +, @, tab, CR, or a - not
 * followed by a digit) gets a leading apostrophe (OWASP "CSV injection"); a negative number, as a
 * number or as text such as "-5" or "-0.5", stays as it is. Then cells with a quote, comma or line
 * break are quoted.
 */
export function csvCell(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  let text = String(value);
  if (typeof value === 'string' && isFormulaLike(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function isFormulaLike(text: string): boolean {
  if (/^[=+@\t\r]/.test(text)) return true;
  // "-5", "-0.5": a negative number; "-1+1" or "-A1" is a formula.
  return text.startsWith('-') && !/^-\d+(\.\d+)?$/.test(text);
}

/** One CSV line (no line break) of the given cells. */
export function csvLine(cells: readonly (string | number | null | undefined)[]): string {
  return cells.map(csvCell).join(',');
}

/** Rows as objects keyed by the header row (cells trimmed), for files staff upload back. */
export function csvRecords(text: string): Record<string, string>[] {
  const [header, ...rows] = parseCsv(text).rows;
  if (!header) return [];
  return rows.map((r) => Object.fromEntries(header.cells.map((h, i) => [h.trim(), (r.cells[i] ?? '').trim()])));
}
