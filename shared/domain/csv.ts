import { formatYuan } from './pricing.js';

/** CSV cells and rows for the leader's spreadsheets (settlement and payments), with one formula guard for both. */

/** Excel only reads UTF-8 Chinese text correctly when the file starts with a byte-order mark. */
export const UTF8_BOM = '\uFEFF';

// A spreadsheet skips leading blanks before deciding a cell is a formula, and a leading tab or carriage
// return can start one too (OWASP "CSV Injection"), so "  =1+1", "\t=1+1" and "\r…" count as formulas.
const FORMULA_START = /^(?:[\t\r]|\s*[=+\-@])/;
// Plain numbers (a negative balance) stay numbers.
const PLAIN_NUMBER = /^-?\d+(\.\d+)?$/;

/** True when a spreadsheet could run the text as a formula: it then gets a leading ' so it stays text. */
export function looksLikeFormula(s: string): boolean {
  return FORMULA_START.test(s) && !PLAIN_NUMBER.test(s);
}

/** A spreadsheet cell, for CSV and xlsx alike: text, a count, or money in fen (yuan with two decimals in the sheet). */
export type SheetCell = string | number | null | { readonly fen: number };

/** One cell: formula-guarded (a nickname like "=HYPERLINK(...)" stays text), then quoted when needed. */
export function csvCell(value: SheetCell): string {
  const s = value === null ? '' : typeof value === 'object' ? formatYuan(value.fen) : String(value);
  const safe = looksLikeFormula(s) ? `'${s}` : s;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function csvRow(values: readonly SheetCell[]): string {
  return `${values.map(csvCell).join(',')}\r\n`;
}
