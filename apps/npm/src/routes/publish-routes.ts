/** Writes to the private registry: publish, unpublish (whole or per version), tarball removal. All need a token. */
import { LarderError, readLimitedBody } from '@larder/core'
import type { PackageName } from '../names/package-name.js'
import { readPublishDocument } from '../private/publish-document.js'
import type { NpmContext, NpmRouteContext } from './npm-context.js'

function publisher(c: NpmRouteContext, npm: NpmContext) {
  return npm.services.tokens.requirePublisher(c.req.header('authorization'), 'npm')
}

async function readJson(c: NpmRouteContext, npm: NpmContext, label: string): Promise<Buffer> {
  return readLimitedBody(c.req.raw, npm.services.config.maxUploadBytes, label)
}

/** PUT /name: `npm publish`. */
export async function putPackage(c: NpmRouteContext, npm: NpmContext, name: PackageName): Promise<Response> {
  const principal = publisher(c, npm)
  const body = await readJson(c, npm, `publish of ${name.full}`)
  const published = readPublishDocument(name, body)
  const rev = await npm.privateRegistry.publish(name, published, principal)
  npm.services.logger.info({ package: name.full, version: published.version, by: principal.name }, 'published')
  c.set('cacheResult', 'PRIVATE')
  return c.json({ ok: true, id: name.full, rev, success: true }, 201)
}

/** PUT /name/-rev/rev: the document without the versions `npm unpublish name@v` removes. */
export async function putRevision(c: NpmRouteContext, npm: NpmContext, name: PackageName, rev: string): Promise<Response> {
  publisher(c, npm)
  const body = await readJson(c, npm, `update of ${name.full}`)
  let doc: Record<string, unknown>
  try {
    doc = JSON.parse(body.toString('utf8'))
  } catch (cause) {
    throw new LarderError('E_BAD_REQUEST', 'the update body is not JSON', { cause })
  }
  const next = await npm.privateRegistry.update(name, rev, doc)
  c.set('cacheResult', 'PRIVATE')
  return c.json({ ok: true, id: name.full, rev: next }, 201)
}

/** DELETE /name/-rev/rev: `npm unpublish name --force`. */
export async function deletePackage(c: NpmRouteContext, npm: NpmContext, name: PackageName, rev: string): Promise<Response> {
  publisher(c, npm)
  await npm.privateRegistry.remove(name, rev)
  c.set('cacheResult', 'PRIVATE')
  return c.json({ ok: true, id: name.full })
}

/** DELETE /name/-/file.tgz/-rev/rev: npm removes the tarball of an unpublished version. */
export async function deleteTarball(c: NpmRouteContext, npm: NpmContext, name: PackageName, filename: string): Promise<Response> {
  publisher(c, npm)
  await npm.privateRegistry.removeTarball(name, filename)
  c.set('cacheResult', 'PRIVATE')
  return c.json({ ok: true })
}
