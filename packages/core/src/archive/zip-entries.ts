/** Lists an uploaded zip with yauzl (central directory only, nothing inflated), checking every entry the way tar entries are. */
import { fromBufferPromise, getFileNameLowLevel, openPromise, type Entry, type Options, type ZipFile } from 'yauzl'
import { LarderError, isLarderError } from '../errors/index.js'
import { readAll } from '../streams/index.js'
import { ArchiveLinks } from './archive-links.js'
import { assertSafeArchivePath, unsafeEntry, type ArchivePathOptions } from './safe-archive-path.js'
import { MAX_ARCHIVE_ENTRIES } from './tar-entries.js'

export interface ZipEntryInfo {
  /** Normalized: no './', no trailing '/'. */
  path: string
  /** As stored (directories end in '/'). */
  name: string
  kind: 'file' | 'directory' | 'symlink'
  size: number
  encrypted: boolean
}

const S_IFMT = 0o170000
const S_IFLNK = 0o120000
/** A symlink's target is its content; a path, never this long. */
const MAX_LINK_TARGET_BYTES = 4096
/** Names are decoded here, so that no backslash is turned into a '/' before the check sees it; close() closes a file. */
const ZIP_OPTIONS: Options = { decodeStrings: false, validateEntrySizes: true, autoClose: false }

export class SafeZip {
  private constructor(
    private readonly zip: ZipFile,
    readonly entries: readonly ZipEntryInfo[],
    private readonly raw: ReadonlyMap<ZipEntryInfo, Entry>,
  ) {}

  /** Opens and checks the whole zip; refuses with E_BAD_REQUEST an unreadable zip or any unsafe entry. */
  static async open(bytes: Buffer, options: ArchivePathOptions & { maxEntries?: number }): Promise<SafeZip> {
    return SafeZip.check(fromBufferPromise(bytes, ZIP_OPTIONS), options)
  }

  /** Like open, for a zip on disk (a spooled upload): only the central directory and the headers are read. */
  static async openFile(path: string, options: ArchivePathOptions & { maxEntries?: number }): Promise<SafeZip> {
    return SafeZip.check(openPromise(path, ZIP_OPTIONS), options)
  }

  private static async check(opening: Promise<ZipFile>, options: ArchivePathOptions & { maxEntries?: number }): Promise<SafeZip> {
    let zip: ZipFile
    try {
      zip = await opening
    } catch (cause) {
      throw new LarderError('E_BAD_REQUEST', `${options.label} is not a zip archive (${(cause as Error).message})`, { cause })
    }
    try {
      const { entries, raw } = await checkEntries(zip, options)
      return new SafeZip(zip, entries, raw)
    } catch (error) {
      zip.close()
      if (isLarderError(error)) throw error
      throw new LarderError('E_BAD_REQUEST', `${options.label} is not a readable zip archive (${(error as Error).message})`, { cause: error })
    }
  }

  /** The inflated bytes of one entry, refused (E_TOO_LARGE) past maxBytes. */
  async read(entry: ZipEntryInfo, maxBytes: number): Promise<Buffer> {
    return readAll(await this.zip.openReadStreamPromise(this.raw.get(entry)!), maxBytes, entry.name)
  }

  close(): void {
    this.zip.close()
  }
}

async function checkEntries(zip: ZipFile, options: ArchivePathOptions & { maxEntries?: number }) {
  const maxEntries = options.maxEntries ?? MAX_ARCHIVE_ENTRIES
  if (zip.entryCount > maxEntries) throw new LarderError('E_TOO_LARGE', `${options.label} holds more than ${maxEntries} entries`)
  const links = new ArchiveLinks(options)
  const entries: ZipEntryInfo[] = []
  const raw = new Map<ZipEntryInfo, Entry>()
  for await (const entry of zip.eachEntry()) {
    const name = getFileNameLowLevel(entry.generalPurposeBitFlag, entry.fileNameRaw, entry.extraFields, true)
    // Unzippers that ignore the Unicode path field (0x7075) read the plain name: both must be safe.
    const plain = getFileNameLowLevel(entry.generalPurposeBitFlag, entry.fileNameRaw, [], true)
    if (plain !== name) assertSafeArchivePath(plain, { kind: 'file' }, options)
    // Streaming unzippers read the name in the local header, not in the central directory.
    const local = await zip.readLocalFileHeaderPromise(entry)
    if (!local.fileName.equals(entry.fileNameRaw)) throw unsafeEntry(options.label, name, 'its local header names another file')
    const isLink = ((entry.externalFileAttributes >>> 16) & S_IFMT) === S_IFLNK
    const kind = isLink ? 'symlink' : name.endsWith('/') ? 'directory' : 'file'
    let linkTarget: string | undefined
    if (kind === 'symlink') {
      if (entry.isEncrypted()) throw unsafeEntry(options.label, name, 'it is an encrypted symbolic link, whose target cannot be checked')
      linkTarget = (await readAll(await zip.openReadStreamPromise(entry), MAX_LINK_TARGET_BYTES, name)).toString('utf8')
    }
    const path = assertSafeArchivePath(name, { kind, linkTarget }, options)
    links.add(path, kind, linkTarget)
    const info: ZipEntryInfo = { path, name, kind, size: entry.uncompressedSize, encrypted: entry.isEncrypted() }
    entries.push(info)
    raw.set(info, entry)
  }
  links.assertContained()
  return { entries, raw }
}
