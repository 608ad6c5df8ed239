/** Facts npm needs about a published tarball that only its contents tell (shrinkwrap, native build files), read while every entry is checked. */
import { LarderError, readSafeTar } from '@larder/core'

export interface TarballFacts {
  hasShrinkwrap: boolean
  hasBindingGyp: boolean
  fileCount: number
  unpackedSize: number
}

/** Refuses (400) a tarball that is unreadable, empty, or holds an unsafe entry (`../`, absolute paths, links out of the package). */
export async function readTarballFacts(tarball: Buffer): Promise<TarballFacts> {
  const facts: TarballFacts = { hasShrinkwrap: false, hasBindingGyp: false, fileCount: 0, unpackedSize: 0 }
  await readSafeTar(tarball, {
    label: 'the published tarball',
    onEntry: (entry) => {
      // npm packs everything under one top folder (package/); what matters is the path inside it.
      const inner = entry.path.replace(/^[^/]+\//, '')
      if (entry.kind === 'file') {
        facts.fileCount++
        facts.unpackedSize += entry.size
      }
      if (inner === 'npm-shrinkwrap.json') facts.hasShrinkwrap = true
      if (inner === 'binding.gyp') facts.hasBindingGyp = true
    },
  })
  if (facts.fileCount === 0) throw new LarderError('E_BAD_REQUEST', 'the published tarball holds no files')
  return facts
}
