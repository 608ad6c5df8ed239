/** Reads an uploaded sdist's `{name}-{version}/PKG-INFO`: a .tar.gz through the tar parser, a .zip by its central directory. */
import { Parser } from 'tar'
import { bufferReader } from '../files/wheel-metadata.js'
import { MAX_ZIP_ENTRY_BYTES, readZipEntry } from '../files/zip-entry.js'

/** PKG-INFO at the top directory named like the file (as PyPI checks), or undefined when the archive is unreadable or lacks it. */
export async function readSdistPkgInfo(filename: string, bytes: Buffer): Promise<Buffer | undefined> {
  const lower = filename.toLowerCase()
  if (lower.endsWith('.zip')) {
    const wanted = `${filename.slice(0, -'.zip'.length)}/PKG-INFO`
    return readZipEntry(bytes.length, bufferReader(bytes), (path) => path === wanted)
  }
  // PEP 625: a .tar.gz is gzip-compressed; the tar parser would also take a bare tar.
  if (lower.endsWith('.tar.gz') && bytes[0] === 0x1f && bytes[1] === 0x8b) return readTarEntry(bytes, `${filename.slice(0, -'.tar.gz'.length)}/PKG-INFO`)
  return undefined
}

function readTarEntry(archive: Buffer, wanted: string): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    let found: Buffer | undefined
    const parser = new Parser({
      strict: true,
      onReadEntry: (entry) => {
        const path = entry.path.replace(/^\.\//, '')
        if (found || path !== wanted || entry.type !== 'File' || (entry.size ?? 0) > MAX_ZIP_ENTRY_BYTES) {
          entry.resume()
          return
        }
        const chunks: Buffer[] = []
        entry.on('data', (chunk: Buffer) => chunks.push(chunk))
        entry.on('end', () => {
          found = Buffer.concat(chunks)
        })
      },
    })
    parser.on('error', () => resolve(undefined))
    parser.on('end', () => resolve(found))
    parser.end(archive)
  })
}
