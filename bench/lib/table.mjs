/** Plain-text tables for the console summary. */

/** Right-aligns every column but the first; `rows` are arrays of strings, the first row is the header. */
export function formatTable(rows) {
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)))
  const line = (row) => row.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]) : cell.padStart(widths[column]))).join('  ')
  const rule = widths.map((width) => '-'.repeat(width)).join('  ')
  return [line(rows[0]), rule, ...rows.slice(1).map(line)].join('\n')
}

export const fixed = (value, digits = 0) => value.toFixed(digits)
