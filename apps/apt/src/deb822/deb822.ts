/** Debian control-file syntax (deb822): stanzas of `Field: value` lines with indented continuation lines. */
import { LarderError, type ErrorCode } from '@larder/core'

/** Fields in file order; names keep their spelling, lookups ignore case as deb822 says. */
export type Stanza = Array<[name: string, value: string]>

/**
 * `errorCode` says whose fault bad syntax is: the client's for uploads (E_BAD_REQUEST), the upstream's for
 * Release and Packages files (E_UPSTREAM_GARBAGE, so the previous copy is served instead).
 */
export function parseStanzas(text: string, label: string, errorCode: ErrorCode = 'E_BAD_REQUEST'): Stanza[] {
  const stanzas: Stanza[] = []
  let current: Stanza = []
  const lines = text.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.replace(/\r$/, '')
    if (line.trim() === '') {
      if (current.length) stanzas.push(current)
      current = []
      continue
    }
    if (line.startsWith('#')) continue
    if (line.startsWith(' ') || line.startsWith('\t')) {
      const last = current[current.length - 1]
      if (!last) throw new LarderError(errorCode, `${label}: line ${i + 1} continues no field`)
      // An empty first line stays (Field:\n line): renderStanza writes it back the same way.
      last[1] = `${last[1]}\n${line}`
      continue
    }
    const colon = line.indexOf(':')
    if (colon <= 0 || /\s/.test(line.slice(0, colon))) throw new LarderError(errorCode, `${label}: line ${i + 1} is not "Field: value"`)
    current.push([line.slice(0, colon), line.slice(colon + 1).trim()])
  }
  if (current.length) stanzas.push(current)
  return stanzas
}

export function field(stanza: Stanza, name: string): string | undefined {
  const lower = name.toLowerCase()
  return stanza.find(([n]) => n.toLowerCase() === lower)?.[1]
}

/** Renders a stanza back to text (one trailing newline, no blank line). */
export function renderStanza(stanza: Stanza): string {
  return stanza.map(([name, value]) => (value.startsWith('\n') || value === '' ? `${name}:${value}` : `${name}: ${value}`)).join('\n') + '\n'
}
