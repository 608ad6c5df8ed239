/** Reads an uploaded .deb (an ar archive of debian-binary, control.tar.* and data.tar.*) from its spool file: the control file, and data.tar checked as it streams. */
import { LarderError, readSafeTar } from '@larder/core'
import { field, parseStanzas, type Stanza } from '../deb822/deb822.js'
import { decompressStream, sniffCompression } from '../decompress/decompress.js'
import { MAGIC_LENGTH } from '../decompress/decoders.js'
import { arInvalid as invalid, bufferSource, fileSource, readArMembers, type ArMember, type ArSource } from './ar-archive.js'

export { readArMembers } from './ar-archive.js'

export const PACKAGE_NAME = /^[a-z0-9][a-z0-9+.-]+$/
export const VERSION = /^(?:[0-9]+:)?[0-9][A-Za-z0-9.+~-]*$/
export const ARCHITECTURE = /^[a-z0-9][a-z0-9-]*$/
const DATA_MEMBER = /^data\.tar(\.(gz|xz|zst|bz2|lzma))?$/
/** Control files are small; this bounds what an upload can make Larder unpack. */
export const MAX_CONTROL_BYTES = 16 * 1024 * 1024
/** The control file is copied into every Packages the hosted repository renders: keep it a control file. */
export const MAX_CONTROL_FILE_BYTES = 1024 * 1024
/** deb822 field names: printable ASCII without ':' and not starting with '#' or '-'. */
const FIELD_NAME = /^[!-"$-,.-9;-~][!-9;-~]*$/
/** Control characters other than tab; line breaks are only the separators between continuation lines. */
const CONTROL_CHARACTER = /[\u0000-\u0008\u000b-\u001f\u007f]/

export interface DebControl {
  stanza: Stanza
  package: string
  version: string
  architecture: string
  /** `name_version_arch.deb`, the epoch left out as Debian does. */
  filename: string
  /** `pool/main/<p>/<package>/<filename>` (p is `libx` for lib* packages). */
  poolPath: string
}

/** The control of a .deb given as its bytes, a spooled file's path, or an ArSource; data.tar is streamed through the safety check. */
export async function readDebControl(input: Buffer | string | ArSource): Promise<DebControl> {
  const source = typeof input === 'string' ? await fileSource(input) : Buffer.isBuffer(input) ? bufferSource(input) : input
  const members = await readArMembers(source)
  const [binary, control, data] = members
  if (binary?.name !== 'debian-binary' || !/^2\.\d+\n/.test((await source.read(binary.offset, Math.min(binary.size, 64))).toString('latin1'))) {
    throw invalid('the first member is not debian-binary 2.x')
  }
  if (!control || !/^control\.tar(\.(gz|xz|zst))?$/.test(control.name)) throw invalid('the second member is not control.tar.*')
  if (!data || !members.some((m) => DATA_MEMBER.test(m.name))) throw invalid('there is no data.tar.* member')
  const controlFile = await readControlFile(source, control)
  if (!controlFile) throw invalid(`${control.name} holds no control file`)
  if (controlFile.length > MAX_CONTROL_FILE_BYTES) throw invalid(`the control file is over ${MAX_CONTROL_FILE_BYTES} bytes`)
  const stanzas = parseStanzas(controlFile.toString('utf8'), 'control')
  const [stanza] = stanzas
  if (!stanza) throw invalid('the control file is empty')
  // dpkg reads one paragraph; a second one would be a second package in Packages.
  if (stanzas.length > 1) throw invalid('the control file holds more than one paragraph')
  const checked = checkControl(stanza)
  await assertSafeDataTar(source, members.find((m) => DATA_MEMBER.test(m.name))!)
  return checked
}

/** The control file inside control.tar.*, unpacked as it streams within MAX_CONTROL_BYTES. */
async function readControlFile(source: ArSource, control: ArMember): Promise<Buffer | undefined> {
  let unpackError: unknown
  const tar = (async function* () {
    try {
      yield* decompressStream(source.stream(control.offset, control.size), control.name, { maxBytes: MAX_CONTROL_BYTES }) as AsyncIterable<Buffer>
    } catch (err) {
      throw (unpackError = err)
    }
  })()
  const files = await readSafeTar(tar, { label: control.name, read: (entry) => entry.path === 'control', maxReadBytes: MAX_CONTROL_BYTES }).catch(
    (err: unknown) => {
      throw err === unpackError ? invalid(`${control.name} cannot be unpacked (${(err as Error).message})`) : err
    },
  )
  return files.get('control')
}

/** dpkg unpacks data.tar into /: every entry must stay under it (absolute link targets point into it). Streamed, nothing kept. */
async function assertSafeDataTar(source: ArSource, member: ArMember): Promise<void> {
  const compression = sniffCompression(await source.read(member.offset, Math.min(member.size, MAGIC_LENGTH)))
  if (!/\.(gz|xz|zst)$|^data\.tar$/.test(member.name) || (compression === 'none') !== (member.name === 'data.tar')) {
    throw invalid(`Larder cannot check ${member.name}`, 'build the package with dpkg-deb -Zxz, -Zzstd or -Zgzip')
  }
  const body = source.stream(member.offset, member.size)
  // readSafeTar bounds what the whole tar may unpack to.
  const tar = compression === 'none' ? body : decompressStream(body, member.name, { maxBytes: Number.POSITIVE_INFINITY })
  await readSafeTar(tar, { label: `the .deb's ${member.name}`, absoluteLinks: 'root' })
}

/** Fields that render back into exactly one Packages entry: no duplicates, no odd names, no control characters. */
function checkFields(stanza: Stanza): void {
  const seen = new Set<string>()
  for (const [name, value] of stanza) {
    const lower = name.toLowerCase()
    if (!FIELD_NAME.test(name)) throw invalid(`the control file has a field named "${name}"`)
    // e.g. a Description line "Package: other" would give the Packages entry two Package fields.
    if (seen.has(lower)) throw invalid(`the control file has the field ${name} twice`)
    seen.add(lower)
    if (CONTROL_CHARACTER.test(value)) throw invalid(`the control file's ${name} holds control characters`)
  }
}

export function checkControl(stanza: Stanza): DebControl {
  checkFields(stanza)
  const name = field(stanza, 'Package')
  const version = field(stanza, 'Version')
  const architecture = field(stanza, 'Architecture')
  if (!name || !PACKAGE_NAME.test(name)) throw new LarderError('E_INVALID_NAME', `the control file's Package "${name ?? ''}" is not a Debian package name`)
  if (!version || !VERSION.test(version)) throw new LarderError('E_INVALID_NAME', `the control file's Version "${version ?? ''}" is not a Debian version`)
  if (!architecture || !ARCHITECTURE.test(architecture))
    throw new LarderError('E_INVALID_NAME', `the control file's Architecture "${architecture ?? ''}" is not a Debian architecture`)
  const filename = `${name}_${version.replace(/^[0-9]+:/, '')}_${architecture}.deb`
  const folder = name.startsWith('lib') && name.length > 3 ? name.slice(0, 4) : name.slice(0, 1)
  return { stanza, package: name, version, architecture, filename, poolPath: `pool/main/${folder}/${name}/${filename}` }
}
