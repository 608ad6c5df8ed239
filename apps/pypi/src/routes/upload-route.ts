/** POST / with the legacy upload API (twine): token, the form streamed to a spool file within the size limit, checked form and archive, then the private index. */
import { LarderError, readMultipartForm } from '@larder/core'
import { distInfoPrefixOf, readWheelMetadata, withFileReader } from '../files/wheel-metadata.js'
import { versionIdentity } from '../names/pep440.js'
import { normalizeProjectName } from '../names/project-name.js'
import { admitUploadName } from '../private/private-names.js'
import { assertSafeDistArchive } from '../upload/archive-check.js'
import { readCoreMetadataFields } from '../upload/core-metadata-fields.js'
import { readSdistPkgInfo } from '../upload/sdist-archive.js'
import { checkUpload, type CheckedUpload } from '../upload/upload-form.js'
import type { PypiContext, PypiRouteContext } from './pypi-context.js'

/** The user name twine (and PyPI) use with an API token as the password. */
export const TOKEN_USERNAME = '__token__'

export async function postUpload(c: PypiRouteContext, pypi: PypiContext): Promise<Response> {
  const { services } = pypi
  const authorization = c.req.header('authorization')
  requireTokenUsername(authorization)
  const principal = services.tokens.requirePublisher(authorization, 'pypi')
  const form = await readMultipartForm(c.req.raw, {
    spoolDir: services.store.spoolDir,
    maxBytes: services.config.maxUploadBytes,
    label: 'the upload',
    algorithms: ['md5'],
  })
  try {
    const upload = checkUpload(form)
    // The project name is only known from the form; the archive is checked after the name is admitted.
    await admitUploadName(pypi, upload.project)
    const metadata = await readUploadMetadata(upload)
    const file = await pypi.privateIndex.add(
      {
        project: upload.project,
        filename: upload.filename,
        version: upload.version,
        file: upload.file,
        ...(upload.requiresPython ? { requiresPython: upload.requiresPython } : {}),
        // Only a wheel's METADATA is served (PEP 658); an sdist's PKG-INFO may leave fields dynamic.
        ...(upload.kind === 'wheel' ? { metadata } : {}),
      },
      principal,
    )
    services.logger.info({ project: upload.project, filename: upload.filename, sha256: file.hashes.sha256, by: principal.name }, 'uploaded')
  } finally {
    // The store took the file if the upload was accepted; whatever else was spooled goes now.
    await form.discard()
  }
  c.set('cacheResult', 'PRIVATE')
  return c.text('OK\n', 200)
}

/** Basic auth must name __token__, as on PyPI: a user name and password would otherwise look accepted and be ignored. */
function requireTokenUsername(authorization: string | undefined): void {
  const basic = /^Basic\s+(\S+)\s*$/i.exec(authorization ?? '')
  if (!basic) return
  const decoded = Buffer.from(basic[1]!, 'base64').toString('utf8')
  const username = decoded.includes(':') ? decoded.slice(0, decoded.indexOf(':')) : decoded
  if (username !== TOKEN_USERNAME) {
    throw new LarderError('E_UNAUTHORIZED', `upload refused: Larder takes API tokens only, with the user name ${TOKEN_USERNAME}`, {
      hint: `use the user name ${TOKEN_USERNAME} and a token with the pypi scope as the password (twine: -u ${TOKEN_USERNAME} -p <token>)`,
    })
  }
}

/** The wheel's METADATA or the sdist's PKG-INFO, which must be there and name the project and version of the form. */
async function readUploadMetadata(upload: CheckedUpload): Promise<Buffer> {
  const metadata =
    upload.kind === 'wheel'
      ? await withFileReader(upload.file.path, (read) => readWheelMetadata(upload.file.size, read, distInfoPrefixOf(upload.filename)))
      : await readSdistPkgInfo(upload.filename, upload.file)
  if (!metadata) {
    const expected =
      upload.kind === 'wheel' ? 'a wheel with a readable .dist-info/METADATA' : `a readable archive with ${sdistTopDir(upload.filename)}/PKG-INFO`
    throw new LarderError('E_BAD_REQUEST', `upload refused: ${upload.filename} is not ${expected}`)
  }
  const fields = readCoreMetadataFields(metadata)
  const what = upload.kind === 'wheel' ? 'METADATA' : 'PKG-INFO'
  if (fields.name === undefined || normalizeProjectName(fields.name) !== upload.project) {
    throw new LarderError(
      'E_BAD_REQUEST',
      `upload refused: the ${what} of ${upload.filename} names project ${JSON.stringify(fields.name ?? null)}, the form says ${upload.project}`,
    )
  }
  const version = fields.version === undefined ? undefined : versionIdentity(fields.version)
  if (version === undefined || version !== versionIdentity(upload.version)) {
    throw new LarderError(
      'E_BAD_REQUEST',
      `upload refused: the ${what} of ${upload.filename} says version ${JSON.stringify(fields.version ?? null)}, the form says ${upload.version}`,
    )
  }
  await assertSafeDistArchive(upload)
  return metadata
}

function sdistTopDir(filename: string): string {
  return filename.replace(/\.(tar\.gz|zip)$/i, '')
}
