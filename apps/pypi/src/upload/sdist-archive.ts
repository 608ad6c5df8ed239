/** Reads an uploaded sdist's `{name}-{version}/PKG-INFO`: a .tar.gz through the shared tar reader (which checks every entry), a .zip by its central directory. */
import { open } from 'node:fs/promises'
import { UnsafeArchiveEntryError, readSafeTarFile, type SpooledFile } from '@larder/core'
import { MAX_ZIP_ENTRY_BYTES, readZipEntry, withFileReader } from '../files/zip-entry.js'

/**
 * PKG-INFO at the top directory named like the file (as PyPI checks), or undefined when the archive
 * is unreadable or lacks it. A .tar.gz with an unsafe entry is refused here (UnsafeArchiveEntryError).
 */
export async function readSdistPkgInfo(filename: string, file: SpooledFile): Promise<Buffer | undefined> {
  const lower = filename.toLowerCase()
  if (lower.endsWith('.zip')) {
    const wanted = `${filename.slice(0, -'.zip'.length)}/PKG-INFO`
    return withFileReader(file.path, (read) => readZipEntry(file.size, read, (path) => path === wanted))
  }
  // PEP 625: a .tar.gz is gzip-compressed; the tar reader would also take a bare tar.
  if (lower.endsWith('.tar.gz') && (await isGzip(file.path))) return readTarEntry(file.path, `${filename.slice(0, -'.tar.gz'.length)}/PKG-INFO`)
  return undefined
}

async function isGzip(path: string): Promise<boolean> {
  const handle = await open(path, 'r')
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(2), 0, 2, 0)
    return bytesRead === 2 && buffer[0] === 0x1f && buffer[1] === 0x8b
  } finally {
    await handle.close()
  }
}

async function readTarEntry(path: string, wanted: string): Promise<Buffer | undefined> {
  try {
    const files = await readSafeTarFile(path, {
      label: `upload refused: ${wanted.split('/')[0]}.tar.gz`,
      read: (entry) => entry.path === wanted && entry.size <= MAX_ZIP_ENTRY_BYTES,
    })
    return files.get(wanted)
  } catch (error) {
    if (error instanceof UnsafeArchiveEntryError) throw error
    return undefined
  }
}
