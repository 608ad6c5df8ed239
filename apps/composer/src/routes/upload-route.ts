/** PUT or POST /upload with a zip body: token, the body streamed to a spool file within the size limit, a safe zip with a composer.json naming the package and its version. */
import { LarderError, discardSpooledFile, readRawUpload } from '@larder/core'
import { assertPackageName } from '../names/package-name.js'
import { admitUploadName } from '../private/private-names.js'
import { normalizeReleaseVersion } from '../private/version.js'
import { readUploadZip } from '../upload/read-upload-zip.js'
import type { ComposerContext, ComposerRouteContext } from './composer-context.js'
import { appBase } from './composer-context.js'

export async function putUpload(c: ComposerRouteContext, composer: ComposerContext): Promise<Response> {
  const { services } = composer
  const principal = services.tokens.requirePublisher(c.req.header('authorization'), 'composer')
  const type = (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase()
  if (type && !['application/zip', 'application/octet-stream', 'application/x-zip-compressed'].includes(type)) {
    throw new LarderError('E_UNSUPPORTED_MEDIA', `upload refused: the body must be a zip, not ${type}`, {
      hint: 'send the zip with Content-Type: application/zip',
    })
  }
  // sha1 is the dist's reference and shasum.
  const zip = await readRawUpload(c.req.raw, {
    spoolDir: services.store.spoolDir,
    maxBytes: services.config.maxUploadBytes,
    label: 'the upload',
    algorithms: ['sha1'],
  })
  try {
    const { composerJson } = await readUploadZip(zip.path)
    const name = assertPackageName(composerJson.name, 'upload refused: composer.json "name"')
    await admitUploadName(composer, name)
    if (composerJson.version === undefined) {
      throw new LarderError('E_BAD_REQUEST', 'upload refused: composer.json has no "version"', {
        hint: 'set "version" in composer.json (e.g. 1.0.0) before zipping',
      })
    }
    const versionNormalized = normalizeReleaseVersion(composerJson.version)
    const version = String(composerJson.version).trim()
    const added = await composer.privateRepo.add({ name, version, versionNormalized, composerJson, zip }, principal)
    const dist = added.dist as { reference: string; shasum: string }
    services.logger.info({ package: name, version, reference: dist.reference, by: principal.name }, 'uploaded')
    c.set('cacheResult', 'PRIVATE')
    return c.json(
      { name, version, version_normalized: versionNormalized, reference: dist.reference, shasum: dist.shasum, repository: appBase(c, composer) },
      201,
    )
  } finally {
    // Gone already if the store took it.
    await discardSpooledFile(zip)
  }
}
