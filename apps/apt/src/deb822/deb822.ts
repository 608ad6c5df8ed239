/** Debian control-file syntax (deb822): stanzas of `Field: value` lines with indented continuation lines. */
import { LarderError } from '@larder/core'

/** Fields in file order; names keep their spelling, lookups ignore case as deb822 says. */
export type Stanza = Array<[name: string, value: string]>

export function parseStanzas(text: string, label: string): Stanza[] {
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
      if (!last) throw new LarderError('E_BAD_REQUEST', `${label}: line ${i + 1} continues no field`)
      last[1] = last[1] === '' ? line : `${last[1]}\n${line}`
      continue
    }
    const colon = line.indexOf(':')
    if (colon <= 0 || /\s/.test(line.slice(0, colon))) throw new LarderError('E_BAD_REQUEST', `${label}: line ${i + 1} is not "Field: value"`)
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
