/** POST / with the legacy upload API (twine): token, size limit, strict multipart, checked form, then the private index. */
import { LarderError, readLimitedBody } from '@larder/core'
import { bufferReader, distInfoPrefixOf, readWheelMetadata } from '../files/wheel-metadata.js'
import { multipartBoundary, parseMultipart } from '../upload/multipart.js'
import { checkUpload } from '../upload/upload-form.js'
import type { PypiContext, PypiRouteContext } from './pypi-context.js'

export async function postUpload(c: PypiRouteContext, pypi: PypiContext): Promise<Response> {
  const { services } = pypi
  const principal = services.tokens.requirePublisher(c.req.header('authorization'), 'pypi')
  const boundary = multipartBoundary(c.req.header('content-type'))
  const body = await readLimitedBody(c.req.raw, services.config.maxUploadBytes, 'the upload')
  const upload = checkUpload(parseMultipart(body, boundary))
  let metadata: Buffer | undefined
  if (upload.kind === 'wheel') {
    metadata = await readWheelMetadata(upload.bytes.length, bufferReader(upload.bytes), distInfoPrefixOf(upload.filename))
    if (!metadata) throw new LarderError('E_BAD_REQUEST', `upload refused: ${upload.filename} is not a wheel with a readable .dist-info/METADATA`)
  }
  const file = await pypi.privateIndex.add(
    {
      project: upload.project,
      filename: upload.filename,
      version: upload.version,
      bytes: upload.bytes,
      ...(upload.requiresPython ? { requiresPython: upload.requiresPython } : {}),
      ...(metadata ? { metadata } : {}),
    },
    principal,
  )
  services.logger.info({ project: upload.project, filename: upload.filename, sha256: file.hashes.sha256, by: principal.name }, 'uploaded')
  c.set('cacheResult', 'PRIVATE')
  return c.text('OK\n', 200)
}
