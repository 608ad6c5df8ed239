/** Reads Packages and Sources indexes line by line as they unpack, keeping only each pool file's SHA256 and Size. */
import type { Readable } from 'node:stream'
import { StringDecoder } from 'node:string_decoder'
import { LarderError } from '@larder/core'

export interface PoolFileFacts {
  sha256: string
  size: number
}

/** Pool path (e.g. pool/main/d/demo/demo_1.0_all.deb) -> what the index says about it. */
export type PoolTable = Map<string, PoolFileFacts>

/** Debian's lines are short (one file per Checksums line); a longer one is garbage, not something to hold. */
export const MAX_INDEX_LINE_LENGTH = 1024 * 1024

/** Packages gives Filename, SHA256 and Size; Sources gives Directory and a Checksums-Sha256 line per file. */
const KEPT_FIELDS = new Set(['filename', 'sha256', 'size', 'directory', 'checksums-sha256'])

/** deb822 stanzas fed one line at a time; the fields the pool index needs are kept until the stanza ends, the rest is dropped. */
export class PoolIndexParser {
  readonly table: PoolTable = new Map()
  private fields = new Map<string, string>()
  /** The kept field that continuation lines extend, if the last field is one. */
  private continued: string | undefined
  private inStanza = false
  private lineNumber = 0

  constructor(private readonly label: string) {}

  line(raw: string): void {
    this.lineNumber++
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw
    if (line.trim() === '') return this.endStanza()
    if (line.startsWith('#')) return
    if (line.startsWith(' ') || line.startsWith('\t')) {
      if (!this.inStanza) throw this.garbage('continues no field')
      if (this.continued !== undefined) this.fields.set(this.continued, `${this.fields.get(this.continued)}\n${line}`)
      return
    }
    const colon = line.indexOf(':')
    if (colon <= 0 || /\s/.test(line.slice(0, colon))) throw this.garbage('is not "Field: value"')
    this.inStanza = true
    const name = line.slice(0, colon).toLowerCase()
    // The first of a repeated field counts, as deb822 lookups do.
    this.continued = KEPT_FIELDS.has(name) && !this.fields.has(name) ? name : undefined
    if (this.continued !== undefined) this.fields.set(name, line.slice(colon + 1).trim())
  }

  end(): PoolTable {
    this.endStanza()
    return this.table
  }

  private endStanza(): void {
    const { fields } = this
    const filename = fields.get('filename')
    const sha256 = fields.get('sha256')
    const size = fields.get('size')
    if (filename && sha256 && size) this.table.set(own(filename), { sha256: own(sha256.toLowerCase()), size: Number(size) })
    const directory = fields.get('directory')
    const checksums = fields.get('checksums-sha256')
    if (directory && checksums) {
      for (const entry of checksums
        .split('\n')
        .map((l) => l.trim())
        .filter(Boolean)) {
        const [digest, bytes, name] = entry.split(/\s+/)
        if (digest && bytes && name) this.table.set(own(`${directory}/${name}`), { sha256: own(digest.toLowerCase()), size: Number(bytes) })
      }
    }
    this.fields = new Map()
    this.continued = undefined
    this.inStanza = false
  }

  private garbage(what: string): LarderError {
    return new LarderError('E_UPSTREAM_GARBAGE', `${this.label}: line ${this.lineNumber} ${what}`)
  }
}

/**
 * A copy that holds only its own characters: V8 keeps a slice's whole parent string alive, and the parent
 * here is a 64 kB chunk of the index, so the table would otherwise keep the entire index in memory.
 */
function own(text: string): string {
  return Buffer.from(text, 'utf8').toString('utf8')
}

/** The pool table of a whole index held as text (tests, small files). */
export function parsePoolIndex(text: string, label: string): PoolTable {
  const parser = new PoolIndexParser(label)
  for (const line of text.split('\n')) parser.line(line)
  return parser.end()
}

/** The pool table of an unpacked index stream, read chunk by chunk: only the current line and the kept fields are held. */
export async function readPoolIndex(text: Readable, label: string): Promise<PoolTable> {
  const parser = new PoolIndexParser(label)
  const utf8 = new StringDecoder('utf8')
  let partial = ''
  for await (const chunk of text as AsyncIterable<Buffer>) {
    const lines = (partial + utf8.write(chunk)).split('\n')
    partial = lines.pop()!
    if (partial.length > MAX_INDEX_LINE_LENGTH) throw new LarderError('E_UPSTREAM_GARBAGE', `${label} has a line over ${MAX_INDEX_LINE_LENGTH} characters`)
    for (const line of lines) parser.line(line)
  }
  partial += utf8.end()
  if (partial !== '') parser.line(partial)
  return parser.end()
}
