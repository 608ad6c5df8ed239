/**
 * Checks that an upstream compact index body is one before it replaces the copy Larder holds: a
 * login page, an empty answer or random bytes sent with 200 must leave the held copy in place (STALE).
 */
import { LarderError } from '@larder/core'

export type CompactIndexFile = 'versions' | 'names' | 'info'

/** `1.0.0` or `1.0.0-x86_64-linux`, then one space and the dependencies and requirements. */
const INFO_LINE = /^[0-9A-Za-z][0-9A-Za-z._+-]* [^\0-\x1f\x7f]*$/
/** `name 1.0.0,-1.1.0,2.0.0-java md5`: yanked versions carry a leading `-`. */
const VERSIONS_LINE = /^[0-9A-Za-z._-]+ [^\s]+ [0-9a-f]{32}$/
/** `created_at: 2024-01-01T00:00:00Z` and other header fields before `---`. */
const HEADER_LINE = /^[a-z_]+: [^\0-\x1f\x7f]*$/
const NAME_LINE = /^[0-9A-Za-z._-]+$/
const MAX_QUOTED_LINE = 60

/** Bytes no compact index holds: NUL and the other control characters but the newline. */
const CONTROL = /[\0-\x09\x0b-\x1f\x7f]/

/**
 * Throws E_UPSTREAM_GARBAGE when `text` is not compact index `file`. The frame is judged (the header and
 * `---`, the first and the last entry, no control bytes), not every entry: bundler skips an odd line,
 * and a 20 MB /versions refused for one would leave Larder with none.
 */
export function checkCompactIndex(file: CompactIndexFile, text: string, contentType: string | undefined, label: string): void {
  const garbage = (why: string) =>
    new LarderError('E_UPSTREAM_GARBAGE', `${label}: the upstream sent ${why}, not a compact index file; Larder keeps the copy it holds`)
  const page = contentType && /html/i.test(contentType) ? ` (a page of type ${contentType})` : ''
  if (text === '') throw garbage('an empty body')
  if (CONTROL.test(text)) throw garbage(`binary bytes${page}`)
  const lines = text.split('\n')
  // A file ends with a newline; a last line without one is one upstream is still writing, so only
  // the lines before it are judged (a body of one unfinished line has nothing else to judge).
  if (lines.length > 1) lines.pop()
  const separator = lines.indexOf('---')
  if (file === 'versions' ? separator < 0 : separator !== 0) throw garbage(`no \`---\` line ${file === 'versions' ? 'after its header' : 'first'}${page}`)
  const header = lines.slice(0, separator).findIndex((line) => !HEADER_LINE.test(line))
  if (header >= 0) throw garbage(`line ${header + 1} "${quote(lines[header]!)}"${page}`)
  const entry = file === 'versions' ? VERSIONS_LINE : file === 'names' ? NAME_LINE : INFO_LINE
  for (const at of new Set([separator + 1, lines.length - 1])) {
    if (at > separator && at < lines.length && !entry.test(lines[at]!)) throw garbage(`line ${at + 1} "${quote(lines[at]!)}"${page}`)
  }
}

function quote(line: string): string {
  const shown = line.length > MAX_QUOTED_LINE ? `${line.slice(0, MAX_QUOTED_LINE)}…` : line
  return shown.replace(/[^\x20-\x7e]/g, '?')
}
