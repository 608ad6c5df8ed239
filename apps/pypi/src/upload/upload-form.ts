/** Checks a legacy-API upload (what twine sends): action, file name against name and version, digests. */
import { LarderError, type MultipartForm, type SpooledFile } from '@larder/core'
import { UPLOAD_SDIST_EXTENSIONS, isSafeFilename, isValidVersion, normalizedWheelFilename, parseDistFilename } from '../names/dist-filename.js'
import { isSpecifierSet, versionIdentity } from '../names/pep440.js'
import { isValidProjectName, normalizeProjectName } from '../names/project-name.js'

export interface CheckedUpload {
  project: string
  version: string
  filename: string
  kind: 'wheel' | 'sdist'
  /** The spooled file, hashed on arrival (sha256 and md5). */
  file: SpooledFile
  requiresPython?: string
}

const refuse = (message: string, hint?: string) => new LarderError('E_BAD_REQUEST', `upload refused: ${message}`, hint ? { hint } : {})

export function checkUpload(form: MultipartForm): CheckedUpload {
  const field = (name: string): string | undefined => form.fields.find((f) => f.name === name)?.value.trim()
  const action = field(':action')
  if (action !== 'file_upload') throw refuse(`unsupported :action ${JSON.stringify(action ?? null)}; only file_upload is`)
  const protocol = field('protocol_version')
  if (protocol !== undefined && protocol !== '1') throw refuse(`unsupported protocol_version ${protocol}`)
  const name = field('name') ?? ''
  const version = field('version') ?? ''
  if (!isValidProjectName(name)) throw refuse(`"${name.slice(0, 80)}" is not a valid project name`)
  if (!isValidVersion(version)) throw refuse(`"${version.slice(0, 80)}" is not a valid PEP 440 version`)
  const content = form.files.find((f) => f.field === 'content' && f.filename !== undefined)
  if (!content) throw refuse('no file in the "content" field')
  const filename = content.filename!
  if (!isSafeFilename(filename)) throw refuse(`"${filename.slice(0, 80)}" is not a valid distribution file name`)
  const project = normalizeProjectName(name)
  const parsed = parseDistFilename(filename, project)
  if (!parsed) throw refuse(`"${filename}" is neither a wheel nor an sdist (name-version.tar.gz) of ${name}`)
  if (parsed.project !== project) throw refuse(`"${filename}" is a file of ${parsed.project}, not of ${name}`)
  if (parsed.kind === 'sdist' && !(UPLOAD_SDIST_EXTENSIONS as readonly string[]).includes(parsed.extension!)) {
    throw refuse(`"${filename}" is not a .tar.gz or .zip sdist`, 'PEP 625 allows only .tar.gz and .zip source distributions')
  }
  if (parsed.kind === 'wheel') {
    const normalized = normalizedWheelFilename(filename)
    if (normalized !== filename) {
      throw refuse(
        `"${filename}" is not a normalized wheel file name${normalized ? `; it should be "${normalized}"` : ''}`,
        'build the wheel with a current build backend',
      )
    }
  }
  const parsedVersion = parsed.kind === 'wheel' ? parsed.version : parsed.version.replace(/_/g, '-')
  if (versionIdentity(parsedVersion) === undefined || versionIdentity(parsedVersion) !== versionIdentity(version)) {
    throw refuse(`"${filename}" is version ${parsed.version}, the form says ${version}`)
  }
  const filetype = field('filetype')
  if (filetype && (parsed.kind === 'wheel') !== (filetype === 'bdist_wheel')) throw refuse(`filetype ${filetype} does not match "${filename}"`)
  if (content.size === 0) throw refuse('the file is empty')
  const sha256 = field('sha256_digest')?.toLowerCase()
  const md5 = field('md5_digest')?.toLowerCase()
  // md5 alone is not enough to tell a corrupted upload: PyPI requires sha256 too.
  if (!sha256) throw refuse('no sha256_digest was sent', 'upload with twine, which sends the sha256 digest of the file')
  const digestOk = content.sha256 === sha256 && (!md5 || content.digests.md5 === md5)
  if (!digestOk) throw refuse(`the file does not match its digest`, 'the upload was corrupted on the way; upload again')
  const requiresPython = field('requires_python')
  // Served to pip as data-requires-python: one it cannot read would hide the file from every install.
  if (requiresPython && !isSpecifierSet(requiresPython)) {
    throw refuse(`requires_python ${JSON.stringify(requiresPython.slice(0, 80))} is not a PEP 440 version specifier such as ">=3.8"`)
  }
  return { project, version, filename, kind: parsed.kind, file: content, ...(requiresPython ? { requiresPython } : {}) }
}
