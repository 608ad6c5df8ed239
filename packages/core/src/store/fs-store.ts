/** The default backend: blobs and entries as files under one folder, every write renamed into place. */
import { randomUUID } from 'node:crypto'
import { mkdirSync } from 'node:fs'
import { constants } from 'node:fs'
import { access, copyFile, type FileHandle, open, readFile, stat, statfs, writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import type { Readable } from 'node:stream'
import { LarderError } from '../errors/larder-error.js'
import { FileRangeReader } from '../streams/file-range-reader.js'
import { isNotFound, readdirIfExists, renameIntoFolder, unlinkIfExists } from './fs-files.js'
import { claimSpoolFolder, type SpoolClaim } from './spool-owner.js'
import type { BlobInfo, ByteRange, CacheEntry, CacheStore } from './types.js'
import { assertBlobInfo, assertRange, assertSha256, namespaceOf, namespaceOfPrefix, SHA256_HEX_PATTERN, sha256Hex } from './validate.js'

/** Loose temp files (from before per-process spool folders) older than this are swept on open. */
export const DEFAULT_TMP_MAX_AGE_MS = 60 * 60 * 1000
/** probe() fails below this much free space: a store that cannot take the next download is not ready. */
export const DEFAULT_MIN_FREE_BYTES = 256 * 1024 * 1024

export interface FsStoreOptions {
  /** Root folder of the store; created if missing. */
  dir: string
  /** Age after which loose files in tmp/ are deleted; folders of dead processes go whatever their age. */
  tmpMaxAgeMs?: number
  /** probe() fails when the filesystem has less than this free for this process. */
  minFreeBytes?: number
}

export function createFsStore(options: FsStoreOptions): CacheStore {
  if (typeof options.dir !== 'string' || options.dir === '') {
    throw new LarderError('E_INVALID_OPTION', 'dir must be a non-empty path')
  }
  const tmpMaxAgeMs = options.tmpMaxAgeMs ?? DEFAULT_TMP_MAX_AGE_MS
  if (!Number.isFinite(tmpMaxAgeMs) || tmpMaxAgeMs < 0) {
    throw new LarderError('E_INVALID_OPTION', 'tmpMaxAgeMs must be a non-negative number')
  }
  const minFreeBytes = options.minFreeBytes ?? DEFAULT_MIN_FREE_BYTES
  if (!Number.isFinite(minFreeBytes) || minFreeBytes < 0) {
    throw new LarderError('E_INVALID_OPTION', 'minFreeBytes must be a non-negative number')
  }
  const dir = resolve(options.dir)
  const blobsDir = join(dir, 'blobs', 'sha256')
  const entriesDir = join(dir, 'entries')
  let spool: SpoolClaim
  try {
    for (const folder of [blobsDir, entriesDir]) mkdirSync(folder, { recursive: true })
    spool = claimSpoolFolder(join(dir, 'tmp'), { looseMaxAgeMs: tmpMaxAgeMs })
  } catch (err) {
    throw new LarderError('E_STORE', `cannot open store in ${dir}: ${(err as Error).message}`, {
      cause: err,
      hint: 'check that the data folder exists and is writable by this process',
    })
  }

  const spoolDir = spool.dir
  const blobPath = (sha256: string): string => {
    assertSha256(sha256)
    return join(blobsDir, sha256.slice(0, 2), sha256)
  }
  // Keys are hashed, never used as path parts: no key can escape the store or collide on a
  // case-insensitive filesystem, whatever it contains.
  const entryPath = (key: string): string => {
    const namespace = namespaceOf(key)
    const digest = sha256Hex(key)
    return join(entriesDir, namespace, digest.slice(0, 2), `${digest}.json`)
  }
  const tempPath = (): string => join(spoolDir, `${randomUUID()}.tmp`)

  /** Writes a temp file and renames it to `target`, so readers see the old file or the new one, never a part. */
  const writeAtomically = async (target: string, data: string | Uint8Array): Promise<void> => {
    const temp = tempPath()
    try {
      await writeFile(temp, data, { flag: 'wx' })
      await renameIntoFolder(temp, target)
    } catch (err) {
      await unlinkIfExists(temp)
      throw err
    }
  }

  const readEntryFile = async (path: string, key?: string): Promise<CacheEntry | undefined> => {
    let text: string
    try {
      text = await readFile(path, 'utf8')
    } catch (err) {
      if (isNotFound(err)) return undefined
      throw err
    }
    let entry: CacheEntry
    try {
      entry = JSON.parse(text) as CacheEntry
    } catch (err) {
      throw new LarderError('E_STORE', `corrupt entry file ${path}`, {
        cause: err,
        hint: 'delete the file; the entry will be fetched again',
      })
    }
    if (typeof entry?.key !== 'string' || (key !== undefined && entry.key !== key)) {
      throw new LarderError('E_STORE', `entry file ${path} does not hold the expected key`)
    }
    return entry
  }

  /**
   * Renames a verified file onto its blob's path. A blob stored again is simply replaced by identical
   * bytes (content addressing): that costs no existence check first, and leaves it with a fresh time for gc.
   */
  const moveIntoPlace = async (localPath: string, expected: BlobInfo): Promise<void> => {
    assertBlobInfo(expected)
    const target = blobPath(expected.sha256)
    const { size } = await stat(localPath)
    if (size !== expected.size) {
      throw new LarderError('E_STORE', `refusing blob ${expected.sha256}: file has ${size} bytes, expected ${expected.size}`)
    }
    try {
      await renameIntoFolder(localPath, target)
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EXDEV') throw err
      // The file lives on another filesystem: copy it beside the blobs first so the final step is still a rename.
      const temp = tempPath()
      try {
        await copyFile(localPath, temp)
        await renameIntoFolder(temp, target)
      } finally {
        await unlinkIfExists(temp)
      }
      await unlinkIfExists(localPath)
    }
  }

  return {
    spoolDir,

    getEntry: (key) => guard('getEntry', () => readEntryFile(entryPath(key), key)),

    putEntry: (entry) => guard('putEntry', () => writeAtomically(entryPath(entry.key), JSON.stringify(entry))),

    deleteEntry: (key) => guard('deleteEntry', () => unlinkIfExists(entryPath(key))),

    async *listEntries(prefix) {
      const namespace = namespaceOfPrefix(prefix)
      const namespaces = namespace === undefined ? await guard('listEntries', () => readdirIfExists(entriesDir)) : [namespace]
      for (const folder of namespaces) {
        const namespaceDir = join(entriesDir, folder)
        for (const shard of await guard('listEntries', () => readdirIfExists(namespaceDir))) {
          for (const name of await guard('listEntries', () => readdirIfExists(join(namespaceDir, shard)))) {
            if (!name.endsWith('.json')) continue
            // undefined when deleted since the readdir: it is simply no longer listed.
            const entry = await guard('listEntries', () => readEntryFile(join(namespaceDir, shard, name)))
            if (entry?.key.startsWith(prefix)) yield entry.key
          }
        }
      }
    },

    statBlob: (sha256) =>
      guard('statBlob', async () => {
        try {
          return { sha256, size: (await stat(blobPath(sha256))).size }
        } catch (err) {
          if (isNotFound(err)) return undefined
          throw err
        }
      }),

    async *listBlobs() {
      for (const shard of await guard('listBlobs', () => readdirIfExists(blobsDir))) {
        for (const name of await guard('listBlobs', () => readdirIfExists(join(blobsDir, shard)))) {
          if (!SHA256_HEX_PATTERN.test(name)) continue
          // Gone since the readdir (a gc elsewhere): simply no longer listed.
          const info = await guard('listBlobs', () => stat(join(blobsDir, shard, name)).catch(() => undefined))
          if (info) yield { sha256: name, size: info.size, storedAt: info.mtimeMs }
        }
      }
    },

    openBlob: (sha256: string, range?: ByteRange) =>
      guard('openBlob', async (): Promise<Readable | undefined> => {
        if (range) assertRange(range)
        // Opening first (rather than stat then stream) means a concurrent delete cannot turn
        // "present" into a stream error: the open handle keeps the bytes readable.
        let handle: FileHandle
        try {
          handle = await open(blobPath(sha256), 'r')
        } catch (err) {
          if (isNotFound(err)) return undefined
          throw err
        }
        return new FileRangeReader(handle, range ? { start: range.start, end: range.end } : {})
      }),

    ingestBlob: (localPath: string, expected: BlobInfo) =>
      guard('ingestBlob', async () => {
        try {
          await moveIntoPlace(localPath, expected)
        } catch (err) {
          // The store owns the file: refused, it must not pile up in the spool.
          await unlinkIfExists(localPath)
          throw err
        }
      }),

    putBlob: (data: Uint8Array) =>
      guard('putBlob', async () => {
        const info = { sha256: sha256Hex(data), size: data.byteLength }
        // Written again even when present (see moveIntoPlace): checking first costs every new blob a call.
        await writeAtomically(blobPath(info.sha256), data)
        return info
      }),

    deleteBlob: (sha256) => guard('deleteBlob', () => unlinkIfExists(blobPath(sha256))),

    async probe() {
      const { bavail, bsize } = await statfs(dir)
      const free = bavail * bsize
      if (free < minFreeBytes) {
        throw new LarderError('E_STORE', `only ${megabytes(free)} MB free where the store lives (${dir}), below ${megabytes(minFreeBytes)} MB`, {
          hint: 'free disk space or move LARDER_DATA_DIR to a larger disk; LARDER_MIN_FREE_MB sets the threshold',
        })
      }
      const probePath = join(spoolDir, `probe-${randomUUID()}`)
      try {
        for (const folder of [blobsDir, entriesDir]) await access(folder, constants.W_OK)
        await writeFile(probePath, 'probe', { flag: 'wx' })
      } catch (err) {
        throw new LarderError('E_STORE', `the store in ${dir} cannot be written: ${(err as Error).message}`, {
          cause: err,
          hint: 'check that the data folder is writable by this process, mounted read-write, and not full',
        })
      } finally {
        await unlinkIfExists(probePath).catch(() => {})
      }
    },

    async close() {
      spool.release()
    },
  }
}

/** Runs one store operation, turning filesystem errors into E_STORE so the edge reports them as such. */
async function guard<T>(operation: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run()
  } catch (err) {
    if (err instanceof LarderError) throw err
    throw new LarderError('E_STORE', `fs store ${operation} failed: ${(err as Error).message}`, { cause: err })
  }
}

function megabytes(bytes: number): string {
  return (bytes / 1024 / 1024).toFixed(bytes < 10 * 1024 * 1024 ? 1 : 0)
}
