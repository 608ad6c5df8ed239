/**
 * Reads a PEP 691 JSON root page chunk by chunk. pypi.org's is ~40 MB, and one JSON.parse of it holds
 * the event loop for most of a second; here only the outer object and the projects array are walked
 * by hand, and every value in them (each project entry, `meta`) still goes through JSON.parse, so what
 * is accepted is exactly JSON, with its rule that of a repeated key the last one counts.
 */
import { LarderError } from '@larder/core'
import type { NameSink } from './root-listing.js'

const QUOTE = 0x22
const BACKSLASH = 0x5c
const COMMA = 0x2c
const COLON = 0x3a
const OPEN_OBJECT = 0x7b
const CLOSE_OBJECT = 0x7d
const OPEN_ARRAY = 0x5b
const CLOSE_ARRAY = 0x5d
const isSpace = (c: number) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09
const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value)

/** Where one JSON value ends, found across chunks; JSON.parse then reads the text. */
class ValueSpan {
  private pieces: string[] = []
  private from = 0
  private depth = 0
  private inString = false
  private escaped = false
  private scalar = false

  begin(from: number): void {
    this.pieces = []
    this.from = from
    this.depth = 0
    this.inString = this.escaped = this.scalar = false
  }

  /** The index just past the value (a number or literal ends before its delimiter), or -1 when `chunk` ends inside it. */
  scan(chunk: string, i: number): number {
    for (; i < chunk.length; i++) {
      const c = chunk.charCodeAt(i)
      if (this.inString) {
        if (this.escaped) this.escaped = false
        else if (c === BACKSLASH) this.escaped = true
        else if (c === QUOTE) {
          this.inString = false
          if (this.depth === 0) return i + 1
        }
      } else if (this.scalar) {
        if (isSpace(c) || c === COMMA || c === CLOSE_OBJECT || c === CLOSE_ARRAY) return i
      } else if (c === QUOTE) this.inString = true
      else if (c === OPEN_OBJECT || c === OPEN_ARRAY) this.depth++
      else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
        if (--this.depth <= 0) return i + 1
      } else if (this.depth === 0) this.scalar = true
    }
    this.pieces.push(chunk.slice(this.from))
    this.from = 0
    return -1
  }

  text(chunk: string, end: number): string {
    const tail = chunk.slice(this.from, end)
    return this.pieces.length > 0 ? this.pieces.join('') + tail : tail
  }
}

type State = 'start' | 'key-or-end' | 'key' | 'colon' | 'value' | 'after-value' | 'item-or-end' | 'item' | 'after-item' | 'done'

type Value = 'key' | 'value' | 'item'

class JsonRootReader {
  private state: State = 'start'
  private readonly span = new ValueSpan()
  private reading: Value | undefined
  private key = ''
  /** Whether the last `projects` value so far is an array. */
  private listed = false
  /** Project entries of the current chunk, parsed together as one array. */
  private batch: string[] = []

  constructor(
    private readonly sink: NameSink,
    private readonly label: string,
  ) {}

  write(chunk: string): void {
    let i = 0
    while (i < chunk.length) {
      if (this.reading) {
        const end = this.span.scan(chunk, i)
        if (end < 0) break
        this.read(this.reading, this.span.text(chunk, end))
        i = end
        continue
      }
      const c = chunk.charCodeAt(i)
      if (isSpace(c) || this.step(c)) i++
      else {
        this.span.begin(i)
        this.reading = this.state === 'key' || this.state === 'key-or-end' ? 'key' : this.state === 'value' ? 'value' : 'item'
      }
    }
    this.flush()
  }

  /** Once the whole page was written: throws unless it was a whole root page. */
  end(): void {
    if (this.reading || this.state !== 'done') throw this.garbage('the document ends early')
    if (!this.listed) throw this.garbage('not a PEP 691 root page')
  }

  /** Takes a structural character (true), or checks that a value may start with it (false: the caller reads it). */
  private step(c: number): boolean {
    const s = this.state
    if (s === 'value') {
      if (this.key !== 'projects') return false
      this.flush()
      this.sink.clear()
      this.listed = c === OPEN_ARRAY
      return this.listed && this.go('item-or-end')
    }
    if (s === 'start' && c === OPEN_OBJECT) return this.go('key-or-end')
    if ((s === 'key-or-end' && c === CLOSE_OBJECT) || (s === 'after-value' && c === CLOSE_OBJECT)) return this.go('done')
    if (s === 'colon' && c === COLON) return this.go('value')
    if (s === 'after-value' && c === COMMA) return this.go('key')
    if ((s === 'item-or-end' || s === 'after-item') && c === CLOSE_ARRAY) return this.go('after-value')
    if (s === 'after-item' && c === COMMA) return this.go('item')
    if ((s === 'key-or-end' || s === 'key') && c === QUOTE) return false
    if ((s === 'item-or-end' || s === 'item') && c !== COMMA && c !== CLOSE_ARRAY) return false
    throw this.garbage(`unexpected ${JSON.stringify(String.fromCharCode(c))}`)
  }

  private go(next: State): true {
    this.state = next
    return true
  }

  private read(what: Value, text: string): void {
    this.reading = undefined
    if (what === 'item') {
      this.batch.push(text)
      this.state = 'after-item'
      return
    }
    // JSON.parse checks the value even where only its being JSON matters (meta, other keys).
    const value: unknown = JSON.parse(text)
    if (what === 'key') {
      this.key = value as string
      this.state = 'colon'
    } else {
      this.state = 'after-value'
    }
  }

  private flush(): void {
    if (this.batch.length === 0) return
    const entries = JSON.parse(`[${this.batch.join(',')}]`) as unknown[]
    this.batch = []
    this.sink.add(entries.flatMap((entry) => (isObject(entry) && typeof entry.name === 'string' ? [entry.name] : [])))
  }

  private garbage(why: string): LarderError {
    return new LarderError('E_UPSTREAM_GARBAGE', `${this.label}: ${why}`)
  }
}

/** Puts the project names a JSON root page lists into `sink`, reading the page as it arrives. */
export async function readJsonRoot(chunks: AsyncIterable<string> | Iterable<string>, sink: NameSink, label: string): Promise<void> {
  const reader = new JsonRootReader(sink, label)
  for await (const chunk of chunks) reader.write(chunk)
  reader.end()
}
