/** The text of an APT list: its `# larder-apt:` header (which archive and suite) and its `name=version:arch` lines. */

export const HEADER_PREFIX = '# larder-apt:'

export interface AptListHeader {
  /** The archive's name on Larder (`/apt/<archive>/`): a name in LARDER_APT_UPSTREAMS, or the hosted one. */
  archive: string
  suite: string
  components: string[]
  /** The machine's architectures beyond those its lines name (a list of `:all` packages names none). */
  architectures: string[]
  /** The purl namespace (`pkg:deb/<vendor>/...`). */
  vendor: string
}

export type AptListLine = { kind: 'package'; line: number; name: string; version: string; arch: string } | { kind: 'bad'; line: number; text: string }

const KEYS = new Set(['archive', 'suite', 'components', 'architectures', 'vendor'])
/** Debian policy 5.6.1 (names), 5.6.12 (versions, an epoch's colon included), dpkg's architecture names. */
const PACKAGE_LINE = /^([a-z0-9][a-z0-9+.-]+)=([0-9][A-Za-z0-9.+~:-]*):([a-z0-9][a-z0-9-]*)$/
const NAME = /^[A-Za-z0-9][A-Za-z0-9._~+-]*$/

export function isAptList(text: string): boolean {
  return text.split('\n', 20).some((line) => line.startsWith(HEADER_PREFIX))
}

/** Throws, naming the file, when the header is missing or malformed: without it nothing can be looked up. */
export function parseAptHeader(path: string, text: string): AptListHeader {
  const line = text.split(/\r?\n/).find((l) => l.startsWith(HEADER_PREFIX))
  const example = `${HEADER_PREFIX} archive=debian suite=bookworm components=main`
  if (line === undefined) throw new Error(`${path}: an APT list starts with a header naming its archive and suite, e.g. "${example}"`)
  const fields = new Map<string, string>()
  for (const word of line.slice(HEADER_PREFIX.length).trim().split(/\s+/).filter(Boolean)) {
    const eq = word.indexOf('=')
    const key = word.slice(0, eq)
    if (eq <= 0 || !KEYS.has(key)) throw new Error(`${path}: "${word}" in the header is not one of ${[...KEYS].map((k) => `${k}=`).join(' ')}`)
    fields.set(key, word.slice(eq + 1))
  }
  const list = (key: string) => (fields.get(key) ?? '').split(',').filter(Boolean)
  const archive = fields.get('archive') ?? ''
  const suite = fields.get('suite') ?? ''
  const components = fields.has('components') ? list('components') : ['main']
  for (const [key, value] of [
    ['archive', [archive]],
    ['suite', [suite]],
    ['components', components],
    ['architectures', list('architectures')],
  ] as const) {
    for (const name of value) if (!NAME.test(name)) throw new Error(`${path}: the header's ${key}= "${name}" is missing or not a name (e.g. "${example}")`)
  }
  if (components.length === 0) throw new Error(`${path}: the header's components= names none`)
  return { archive, suite, components, architectures: list('architectures'), vendor: fields.get('vendor') || archive.split('-')[0]! }
}

/** Every line but blanks and comments, numbered from 1. */
export function parseAptLines(text: string): AptListLine[] {
  const lines: AptListLine[] = []
  text.split(/\r?\n/).forEach((raw, i) => {
    const text = raw.trim()
    if (text === '' || text.startsWith('#')) return
    // The architecture follows the last colon: a version's epoch has one too (1:2.38.1-5).
    const m = PACKAGE_LINE.exec(text)
    lines.push(m ? { kind: 'package', line: i + 1, name: m[1]!, version: m[2]!, arch: m[3]! } : { kind: 'bad', line: i + 1, text })
  })
  return lines
}
