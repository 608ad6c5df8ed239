/** Facts npm needs about a published tarball that only its contents tell (its package.json, shrinkwrap, native build files), read while every entry is checked. */
import { LarderError, readSafeTar } from '@larder/core'

/** Far above any real package.json; what is read whole to compare it with the published document. */
const MAX_PACKAGE_JSON_BYTES = 1024 * 1024
/** npm packs everything under one top folder (package/): its package.json is what `npm install` unpacks. */
const ROOT_PACKAGE_JSON = /^[^/]+\/package\.json$/

export interface TarballFacts {
  hasShrinkwrap: boolean
  hasBindingGyp: boolean
  fileCount: number
  unpackedSize: number
  /** The tarball's own package.json, parsed. */
  packageJson: Record<string, unknown>
}

/** Refuses (400) a tarball that is unreadable, empty, or holds an unsafe entry (`../`, absolute paths, links out of the package). */
export async function readTarballFacts(tarball: Buffer): Promise<TarballFacts> {
  const facts: Omit<TarballFacts, 'packageJson'> = { hasShrinkwrap: false, hasBindingGyp: false, fileCount: 0, unpackedSize: 0 }
  const files = await readSafeTar(tarball, {
    label: 'the published tarball',
    read: (entry) => ROOT_PACKAGE_JSON.test(entry.path),
    maxReadBytes: MAX_PACKAGE_JSON_BYTES,
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
  const [text, ...more] = [...files.values()]
  if (!text || more.length > 0) throw new LarderError('E_BAD_REQUEST', 'the published tarball must hold one package.json, in its top folder (package/)')
  let packageJson: unknown
  try {
    packageJson = JSON.parse(text.toString('utf8'))
  } catch {
    throw new LarderError('E_BAD_REQUEST', "the published tarball's package.json is not valid JSON")
  }
  if (!packageJson || typeof packageJson !== 'object' || Array.isArray(packageJson)) {
    throw new LarderError('E_BAD_REQUEST', "the published tarball's package.json is not a JSON object")
  }
  return { ...facts, packageJson: packageJson as Record<string, unknown> }
}
