/** Reads the index table (path -> size and digests) stored as a generation's main body, parsed once per blob. */
import { LarderError, readAll, type CacheEntry, type LarderServices } from '@larder/core'
import type { IndexFileFacts } from '../deb822/release-file.js'

export const DEFAULT_TABLE_MEMO_SIZE = 64

export type FileTable = Record<string, IndexFileFacts>

export class FileTables {
  private readonly memo = new Map<string, FileTable>()

  constructor(
    private readonly services: LarderServices,
    private readonly memoSize = DEFAULT_TABLE_MEMO_SIZE,
  ) {}

  async of(entry: CacheEntry): Promise<FileTable> {
    const blob = entry.blob
    if (!blob) throw new LarderError('E_STORE', `${entry.key} has no file table`)
    const known = this.memo.get(blob)
    if (known) return known
    const stream = await this.services.store.openBlob(blob)
    if (!stream) throw new LarderError('E_STORE', `the file table of ${entry.key} (blob ${blob}) is missing from the store`)
    const table = JSON.parse((await readAll(stream)).toString('utf8')) as FileTable
    if (this.memo.size >= this.memoSize) this.memo.delete(this.memo.keys().next().value!)
    this.memo.set(blob, table)
    return table
  }
}
