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

/** Throws E_UPSTREAM_GARBAGE naming the first line that is not compact index `file`. */
export function checkCompactIndex(file: CompactIndexFile, text: string, contentType: string | undefined, label: string): void {
  const garbage = (why: string) =>
    new LarderError('E_UPSTREAM_GARBAGE', `${label}: the upstream sent ${why}, not a compact index file; Larder keeps the copy it holds`)
  if (contentType && /html/i.test(contentType)) throw garbage(`a page of type ${contentType}`)
  if (text === '') throw garbage('an empty body')
  const lines = text.split('\n')
  // A file ends with a newline; a last line without one is one upstream is still writing, so only
  // the lines before it are judged (a body of one unfinished line has nothing else to judge).
  if (lines.length > 1) lines.pop()
  let inHeader = file === 'versions'
  const sawSeparator = lines.includes('---')
  if (file === 'versions' && !sawSeparator) throw garbage('a /versions file without its `---` line')
  for (const [at, line] of lines.entries()) {
    if (line === '---') {
      inHeader = false
      continue
    }
    const shape = inHeader ? HEADER_LINE : file === 'versions' ? VERSIONS_LINE : file === 'names' ? NAME_LINE : INFO_LINE
    if (!shape.test(line)) throw garbage(`line ${at + 1} "${quote(line)}"`)
  }
}

function quote(line: string): string {
  const shown = line.length > MAX_QUOTED_LINE ? `${line.slice(0, MAX_QUOTED_LINE)}…` : line
  return shown.replace(/[^\x20-\x7e]/g, '?')
}
