/** Reads composer.json out of an uploaded zip, refusing archives Composer could not or should not unpack. */
import { LarderError, SafeZip, parseLimitedJsonObject, type ZipEntryInfo } from '@larder/core'

/** A composer.json is a few KB; a bigger one is not inflated into memory. */
export const MAX_COMPOSER_JSON_BYTES = 1024 * 1024

export interface UploadZip {
  composerJson: Record<string, unknown>
  /** Where composer.json was found: '' at the top, or the single top directory (as in code hosts' zipballs). */
  root: string
}

const refuse = (message: string, hint?: string) => new LarderError('E_BAD_REQUEST', `upload refused: ${message}`, hint ? { hint } : {})

/** `path`: the spooled upload; only its central directory, headers and composer.json are read. */
export async function readUploadZip(path: string): Promise<UploadZip> {
  // The shared entry check: relative names inside the package, no '..', no backslashes, no links out of it.
  const zip = await SafeZip.openFile(path, { label: 'the upload' }).catch((error: unknown) => {
    if (error instanceof LarderError && /is not a zip archive/.test(error.message)) {
      throw new LarderError(error.code, error.message, { cause: error, hint: 'send the zip itself with Content-Type: application/zip' })
    }
    throw error
  })
  try {
    checkEntries(zip.entries)
    const found = findComposerJson(zip.entries)
    if (found.size > MAX_COMPOSER_JSON_BYTES) throw refuse(`${found.name} is over ${MAX_COMPOSER_JSON_BYTES} bytes`)
    let json: Buffer
    try {
      json = await zip.read(found, MAX_COMPOSER_JSON_BYTES)
    } catch (cause) {
      throw refuse(`${found.name} cannot be read from the zip (${(cause as Error).message})`)
    }
    const composerJson = parseLimitedJsonObject(json, { label: `upload refused: ${found.name}`, maxBytes: MAX_COMPOSER_JSON_BYTES })
    return { composerJson, root: found.name.slice(0, -'composer.json'.length) }
  } finally {
    zip.close()
  }
}

function checkEntries(entries: readonly ZipEntryInfo[]): void {
  // Which of two same-named entries wins depends on the unzipper: what Larder reads (e.g. composer.json)
  // could differ from what Composer installs. A directory "a/" and a file "a" collide the same way.
  const seen = new Set<string>()
  for (const entry of entries) {
    if (seen.has(entry.path)) throw refuse(`the zip holds two entries named ${entry.name}`, 'rebuild the zip so that every path appears once')
    seen.add(entry.path)
    // Composer's unzippers (ZipArchive, unzip) differ on links; a package needs none.
    if (entry.kind === 'symlink') throw refuse(`the zip holds a symbolic link (${entry.name})`)
    if (entry.encrypted) throw refuse(`the zip holds an encrypted entry (${entry.name})`)
  }
}

/** composer.json at the top, else in the one top directory, as Composer's artifact repository looks for it. */
function findComposerJson(entries: readonly ZipEntryInfo[]): ZipEntryInfo {
  const top = entries.find((e) => e.name === 'composer.json')
  if (top) return top
  const nested = entries.filter((e) => /^[^/]+\/composer\.json$/.test(e.name))
  if (nested.length === 1) return nested[0]!
  if (nested.length > 1) throw refuse(`the zip has several top directories with a composer.json (${nested.map((e) => e.name).join(', ')})`)
  throw refuse('the zip has no composer.json at its top (or in its single top directory)', 'zip the package directory, the one holding composer.json')
}
