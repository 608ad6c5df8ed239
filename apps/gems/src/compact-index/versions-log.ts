/**
 * The /versions Larder serves, grown only by appending: bundler keeps its copy and asks
 * `Range: bytes=<size-1>-`, appends the tail and checks the MD5 of the whole against the ETag.
 */
import { md5Hex } from './info-file.js'
import { EMPTY_VERSIONS_HEADER } from './versions-file.js'

export interface VersionsLogStart {
  /** The upstream /versions as stored; undefined when Larder has none (offline, private gems only). */
  upstream: string | undefined
  /** Names owned privately: their upstream lines are dropped. */
  privateNames: ReadonlySet<string>
  /** `name v1,v2 md5` lines of private gems, placed right after `---`: they change only on push and yank. */
  privateLines: readonly string[]
}

interface LastLine {
  version: string
  md5: string
}

export class VersionsLog {
  private readonly parts: string[] = []
  private readonly last = new Map<string, LastLine>()
  /** How much of the upstream text the log covers (up to its last newline), and that prefix's md5. */
  private upstreamLength = 0
  private upstreamPrefixMd5: string | undefined
  private joined: string | undefined
  /** Bumped on every append, so what is derived from the text can be memoized. */
  generation = 0

  private constructor(private readonly privateNames: ReadonlySet<string>) {}

  static start(options: VersionsLogStart): VersionsLog {
    const log = new VersionsLog(options.privateNames)
    const upstream = options.upstream
    const headerEnd = upstream?.indexOf('\n---\n') ?? -1
    const bodyStart = upstream === undefined ? 0 : headerEnd < 0 ? 0 : headerEnd + 5
    log.parts.push(upstream === undefined || headerEnd < 0 ? EMPTY_VERSIONS_HEADER : upstream.slice(0, bodyStart))
    log.appendLines(options.privateLines.map((line) => `${line}\n`).join(''), false)
    if (upstream !== undefined) {
      log.upstreamLength = bodyStart
      log.upstreamPrefixMd5 = md5Hex(upstream.slice(0, bodyStart))
      log.extend(upstream)
    }
    return log
  }

  /** Appends what upstream appended since; false when upstream rewrote its file (the caller starts a new log). */
  extend(upstream: string): boolean {
    if (this.upstreamPrefixMd5 === undefined || upstream.length < this.upstreamLength) return false
    if (md5Hex(upstream.slice(0, this.upstreamLength)) !== this.upstreamPrefixMd5) return false
    // A line upstream is still writing (no newline yet) waits for the next generation.
    const end = upstream.lastIndexOf('\n') + 1
    if (end <= this.upstreamLength) return true
    this.appendLines(upstream.slice(this.upstreamLength, end), true)
    this.upstreamLength = end
    this.upstreamPrefixMd5 = md5Hex(upstream.slice(0, end))
    return true
  }

  /**
   * Makes each gem's last md5 the md5 of the /info Larder holds by appending a line, never by
   * rewriting one: the md5 on a gem's last line is the one that counts. The line repeats the last
   * version, which clients that read the version list take as already known.
   */
  correct(held: ReadonlyMap<string, string>): void {
    const lines: string[] = []
    for (const name of [...held.keys()].sort()) {
      const md5 = held.get(name)!
      const last = this.last.get(name)
      if (this.privateNames.has(name) || !last || last.md5 === md5) continue
      lines.push(`${name} ${last.version} ${md5}\n`)
    }
    if (lines.length > 0) this.appendLines(lines.join(''), false)
  }

  get text(): string {
    this.joined ??= this.parts.join('')
    return this.joined
  }

  /** md5 on each gem's last line, as a client reads it. */
  lastMd5(name: string): string | undefined {
    return this.last.get(name)?.md5
  }

  private appendLines(chunk: string, dropPrivate: boolean): void {
    if (chunk === '') return
    const kept: string[] = []
    for (const line of chunk.split('\n')) {
      const first = line.indexOf(' ')
      const lastSpace = line.lastIndexOf(' ')
      if (first <= 0 || lastSpace <= first) continue
      const name = line.slice(0, first)
      if (dropPrivate && this.privateNames.has(name)) continue
      const versions = line.slice(first + 1, lastSpace)
      this.last.set(name, { version: versions.slice(versions.lastIndexOf(',') + 1), md5: line.slice(lastSpace + 1) })
      kept.push(`${line}\n`)
    }
    if (kept.length === 0) return
    this.parts.push(kept.join(''))
    this.joined = undefined
    this.generation += 1
  }
}
