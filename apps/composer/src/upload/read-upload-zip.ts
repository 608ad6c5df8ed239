/** Reads composer.json out of an uploaded zip, refusing archives Composer could not or should not unpack. */
import { LarderError, readAll } from '@larder/core'
import { fromBufferPromise, type Entry, type ZipFile } from 'yauzl'

/** A composer.json is a few KB; a bigger one is not inflated into memory. */
export const MAX_COMPOSER_JSON_BYTES = 1024 * 1024
const S_IFMT = 0o170000
const S_IFLNK = 0o120000

export interface UploadZip {
  composerJson: Record<string, unknown>
  /** Where composer.json was found: '' at the top, or the single top directory (as in code hosts' zipballs). */
  root: string
}

const refuse = (message: string, hint?: string) => new LarderError('E_BAD_REQUEST', `upload refused: ${message}`, hint ? { hint } : {})

export async function readUploadZip(bytes: Buffer): Promise<UploadZip> {
  let zip: ZipFile
  try {
    zip = await fromBufferPromise(bytes, { strictFileNames: true, validateEntrySizes: true, autoClose: false })
  } catch (cause) {
    throw refuse(`the body is not a zip archive (${(cause as Error).message})`, 'send the zip itself with Content-Type: application/zip')
  }
  const entries: Entry[] = []
  try {
    // yauzl refuses absolute names, "..", and backslashes here (strictFileNames).
    for await (const entry of zip.eachEntry()) entries.push(entry)
  } catch (cause) {
    throw refuse(`the zip has an unsafe or unreadable entry (${(cause as Error).message})`, 'entry names must be relative paths inside the package')
  }
  // Which of two same-named entries wins depends on the unzipper: what Larder reads (e.g. composer.json)
  // could differ from what Composer installs. A directory "a/" and a file "a" collide the same way.
  const seen = new Set<string>()
  for (const entry of entries) {
    const path = entry.fileName.replace(/\/$/, '')
    if (seen.has(path)) throw refuse(`the zip holds two entries named ${entry.fileName}`, 'rebuild the zip so that every path appears once')
    seen.add(path)
    if (((entry.externalFileAttributes >>> 16) & S_IFMT) === S_IFLNK) throw refuse(`the zip holds a symbolic link (${entry.fileName})`)
    if (entry.isEncrypted()) throw refuse(`the zip holds an encrypted entry (${entry.fileName})`)
  }
  const found = findComposerJson(entries)
  if (found.uncompressedSize > MAX_COMPOSER_JSON_BYTES) throw refuse(`${found.fileName} is over ${MAX_COMPOSER_JSON_BYTES} bytes`)
  let text: string
  try {
    text = (await readAll(await zip.openReadStreamPromise(found), MAX_COMPOSER_JSON_BYTES, found.fileName)).toString('utf8')
  } catch (cause) {
    throw refuse(`${found.fileName} cannot be read from the zip (${(cause as Error).message})`)
  }
  let composerJson: unknown
  try {
    composerJson = JSON.parse(text)
  } catch (cause) {
    throw refuse(`${found.fileName} is not valid JSON (${(cause as Error).message})`)
  }
  if (typeof composerJson !== 'object' || composerJson === null || Array.isArray(composerJson)) throw refuse(`${found.fileName} is not a JSON object`)
  return { composerJson: composerJson as Record<string, unknown>, root: found.fileName.slice(0, -'composer.json'.length) }
}

/** composer.json at the top, else in the one top directory, as Composer's artifact repository looks for it. */
function findComposerJson(entries: Entry[]): Entry {
  const top = entries.find((e) => e.fileName === 'composer.json')
  if (top) return top
  const nested = entries.filter((e) => /^[^/]+\/composer\.json$/.test(e.fileName))
  if (nested.length === 1) return nested[0]!
  if (nested.length > 1) throw refuse(`the zip has several top directories with a composer.json (${nested.map((e) => e.fileName).join(', ')})`)
  throw refuse('the zip has no composer.json at its top (or in its single top directory)', 'zip the package directory, the one holding composer.json')
}
