/** Reads an uploaded sdist's `{name}-{version}/PKG-INFO`: a .tar.gz through the shared tar reader (which checks every entry), a .zip by its central directory. */
import { UnsafeArchiveEntryError, readSafeTar } from '@larder/core'
import { bufferReader } from '../files/wheel-metadata.js'
import { MAX_ZIP_ENTRY_BYTES, readZipEntry } from '../files/zip-entry.js'

/**
 * PKG-INFO at the top directory named like the file (as PyPI checks), or undefined when the archive
 * is unreadable or lacks it. A .tar.gz with an unsafe entry is refused here (UnsafeArchiveEntryError).
 */
export async function readSdistPkgInfo(filename: string, bytes: Buffer): Promise<Buffer | undefined> {
  const lower = filename.toLowerCase()
  if (lower.endsWith('.zip')) {
    const wanted = `${filename.slice(0, -'.zip'.length)}/PKG-INFO`
    return readZipEntry(bytes.length, bufferReader(bytes), (path) => path === wanted)
  }
  // PEP 625: a .tar.gz is gzip-compressed; the tar reader would also take a bare tar.
  if (lower.endsWith('.tar.gz') && bytes[0] === 0x1f && bytes[1] === 0x8b) return readTarEntry(bytes, `${filename.slice(0, -'.tar.gz'.length)}/PKG-INFO`)
  return undefined
}

async function readTarEntry(archive: Buffer, wanted: string): Promise<Buffer | undefined> {
  try {
    const files = await readSafeTar(archive, { label: `upload refused: ${wanted.split('/')[0]}.tar.gz`, read: (entry) => entry.path === wanted && entry.size <= MAX_ZIP_ENTRY_BYTES })
    return files.get(wanted)
  } catch (error) {
    if (error instanceof UnsafeArchiveEntryError) throw error
    return undefined
  }
}
