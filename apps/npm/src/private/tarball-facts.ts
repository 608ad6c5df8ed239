/** Facts npm needs about a published tarball that only its contents tell: shrinkwrap and native build files. */
import { Parser } from 'tar'
import { LarderError } from '@larder/core'

export interface TarballFacts {
  hasShrinkwrap: boolean
  hasBindingGyp: boolean
  fileCount: number
  unpackedSize: number
}

export async function readTarballFacts(tarball: Buffer): Promise<TarballFacts> {
  const facts: TarballFacts = { hasShrinkwrap: false, hasBindingGyp: false, fileCount: 0, unpackedSize: 0 }
  await new Promise<void>((resolve, reject) => {
    const parser = new Parser({
      strict: true,
      onReadEntry: (entry) => {
        // npm packs everything under one top folder (package/); what matters is the path inside it.
        const inner = entry.path.replace(/^[^/]+\//, '')
        if (entry.type === 'File') {
          facts.fileCount++
          facts.unpackedSize += entry.size ?? 0
        }
        if (inner === 'npm-shrinkwrap.json') facts.hasShrinkwrap = true
        if (inner === 'binding.gyp') facts.hasBindingGyp = true
        entry.resume()
      },
    })
    parser.on('error', reject)
    parser.on('end', resolve)
    parser.end(tarball)
  }).catch((cause: unknown) => {
    throw new LarderError('E_BAD_REQUEST', 'the published tarball is not a readable .tgz', { cause })
  })
  if (facts.fileCount === 0) throw new LarderError('E_BAD_REQUEST', 'the published tarball holds no files')
  return facts
}
