/** Walks an uploaded tar (or .tar.gz) as a stream with node-tar, checking every entry, and keeps the few files the caller asks for. */
import { createGunzip } from 'node:zlib'
import { Parser, type ReadEntry } from 'tar'
import { LarderError, isLarderError } from '../errors/index.js'
import { ArchiveLinks } from './archive-links.js'
import { assertSafeArchivePath, unsafeEntry, type ArchiveEntryKind, type ArchivePathOptions } from './safe-archive-path.js'

/** Far above any real package (a million files), far below what would exhaust memory on their paths. */
export const MAX_ARCHIVE_ENTRIES = 1_000_000
/** Bounds the work a small compressed upload (a gzip bomb) can cause; real packages unpack to far less. */
export const MAX_UNPACKED_BYTES = 8 * 1024 * 1024 * 1024
/** node-tar ignores longer pax headers, where other tar readers honour them: the two would disagree on names. */
const MAX_META_ENTRY_BYTES = 1024 * 1024

export interface TarEntryInfo {
  /** Normalized: no './', no trailing '/'. */
  path: string
  kind: ArchiveEntryKind
  size: number
}

export interface SafeTarOptions extends ArchivePathOptions {
  /** Sees every entry once it passed the check. */
  onEntry?: (entry: TarEntryInfo) => void
  /** Regular files whose bytes to return; each must fit in maxReadBytes. */
  read?: (entry: TarEntryInfo) => boolean
  /**
   * Regular files too big to hold (a .gem's data.tar.gz), streamed to the consumer returned instead;
   * the read settles once every consumer has, and fails if one does.
   */
  stream?: (entry: TarEntryInfo) => ((body: AsyncIterable<Buffer>) => Promise<void>) | undefined
  maxReadBytes?: number
  maxEntries?: number
  maxUnpackedBytes?: number
}

const KINDS: Record<string, ArchiveEntryKind> = {
  File: 'file',
  OldFile: 'file',
  ContiguousFile: 'file',
  Directory: 'directory',
  GNUDumpDir: 'directory',
  SymbolicLink: 'symlink',
  Link: 'hardlink',
}

const GZIP_MAGIC = [0x1f, 0x8b]

/**
 * Reads a tar from a Buffer (gzip or not, told by its first bytes) or from a stream of plain tar (a Readable).
 * Refuses with E_BAD_REQUEST an unsafe entry (see assertSafeArchivePath and ArchiveLinks) or an
 * unreadable archive; resolves with the files `read` asked for, by normalized path.
 */
export async function readSafeTar(input: Buffer | AsyncIterable<Buffer>, options: SafeTarOptions): Promise<Map<string, Buffer>> {
  const maxEntries = options.maxEntries ?? MAX_ARCHIVE_ENTRIES
  const maxUnpacked = options.maxUnpackedBytes ?? MAX_UNPACKED_BYTES
  const maxRead = options.maxReadBytes ?? 16 * 1024 * 1024
  const links = new ArchiveLinks(options)
  const files = new Map<string, Buffer>()
  const streamed = new Map<string, { entry: ReadEntry; consumed: Promise<void> }>()
  let entries = 0
  let failure: unknown
  const parser = new Parser({ strict: true, maxMetaEntrySize: MAX_META_ENTRY_BYTES })
  const fail = (error: unknown) => {
    failure ??= error
    parser.abort(error instanceof Error ? error : new Error(String(error)))
  }
  const check = (entry: ReadEntry, kind: ArchiveEntryKind): TarEntryInfo => {
    const path = assertSafeArchivePath(entry.path, { kind, linkTarget: entry.linkpath }, options)
    if (++entries > maxEntries) throw new LarderError('E_TOO_LARGE', `${options.label} holds more than ${maxEntries} entries`)
    links.add(path, kind, entry.linkpath)
    return { path, kind, size: entry.size ?? 0 }
  }
  parser.on('entry', (entry: ReadEntry) => {
    try {
      const info = check(entry, KINDS[entry.type] ?? 'other')
      options.onEntry?.(info)
      const consume = info.kind === 'file' ? options.stream?.(info) : undefined
      if (consume) return streamEntry(entry, info, consume)
      if (info.kind !== 'file' || !options.read?.(info)) return void entry.resume()
      if (files.has(info.path)) throw unsafeEntry(options.label, entry.path, 'the archive holds two entries of that name')
      if (info.size > maxRead) throw new LarderError('E_TOO_LARGE', `${options.label}: ${info.path} is over the limit of ${maxRead} bytes`)
      const chunks: Buffer[] = []
      entry.on('data', (chunk: Buffer) => chunks.push(chunk))
      entry.on('end', () => files.set(info.path, Buffer.concat(chunks)))
    } catch (error) {
      entry.resume()
      fail(error)
    }
  })
  const streamEntry = (entry: ReadEntry, info: TarEntryInfo, consume: (body: AsyncIterable<Buffer>) => Promise<void>) => {
    if (streamed.has(info.path)) throw unsafeEntry(options.label, entry.path, 'the archive holds two entries of that name')
    const consumed = consume(entry as AsyncIterable<Buffer>)
    consumed.catch(fail)
    streamed.set(info.path, { entry, consumed })
  }
  parser.on('ignoredEntry', (entry: ReadEntry) => {
    try {
      if (entry.meta) throw unsafeEntry(options.label, entry.path, `it has an extended header over ${MAX_META_ENTRY_BYTES} bytes`)
      // Types node-tar does not know; GNU tar unpacks them as files.
      check(entry, 'other')
    } catch (error) {
      fail(error)
    }
  })
  // An archive of nothing but its end marker is a valid, empty tar (GNU tar and dpkg take it); node-tar calls it unrecognized.
  let sawEnd = false
  parser.on('eof', () => (sawEnd = true))
  const done = new Promise<void>((resolve, reject) => {
    parser.on('error', reject)
    parser.on('end', resolve)
  })
  done.catch(() => {})
  try {
    let unpacked = 0
    for await (const chunk of tarChunks(input)) {
      unpacked += chunk.length
      if (unpacked > maxUnpacked) throw new LarderError('E_TOO_LARGE', `${options.label} unpacks to more than ${maxUnpacked} bytes`)
      if (failure !== undefined) break
      if (!parser.write(chunk)) await Promise.race([new Promise((resolve) => parser.once('drain', resolve)), done])
    }
    if (failure === undefined) parser.end()
    await done
    await Promise.all([...streamed.values()].map((s) => s.consumed))
  } catch (error) {
    failure ??= error
  }
  if (failure !== undefined) {
    // A consumer still reading would wait for bytes that never come.
    for (const { entry } of streamed.values()) entry.destroy?.()
    await Promise.allSettled([...streamed.values()].map((s) => s.consumed))
  }
  if (entries === 0 && sawEnd && (failure as { code?: string } | undefined)?.code === 'TAR_BAD_ARCHIVE') failure = undefined
  if (failure !== undefined) {
    if (isLarderError(failure)) throw failure
    throw new LarderError('E_BAD_REQUEST', `${options.label} is not a readable tar archive (${(failure as Error).message})`, { cause: failure })
  }
  links.assertContained()
  return files
}

async function* tarChunks(input: Buffer | AsyncIterable<Buffer>): AsyncIterable<Buffer> {
  if (!Buffer.isBuffer(input)) {
    for await (const chunk of input) yield chunk
    return
  }
  if (input[0] !== GZIP_MAGIC[0] || input[1] !== GZIP_MAGIC[1]) {
    yield input
    return
  }
  const gunzip = createGunzip()
  gunzip.end(input)
  for await (const chunk of gunzip as AsyncIterable<Buffer>) yield chunk
}
