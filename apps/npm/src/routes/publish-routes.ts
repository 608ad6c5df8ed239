/** Writes to the private registry: publish, deprecate, unpublish (whole or per version), tarball removal. All need a token. */
import { LarderError, readLimitedBody, type Principal } from '@larder/core'
import type { PackageName } from '../names/package-name.js'
import { hasAttachments, ownersNotSupported, parseWriteBody, readMetadataWrite, starsNotSupported } from '../private/metadata-write.js'
import { admitPublishName } from '../private/private-names.js'
import { readPublishDocument } from '../private/publish-document.js'
import type { NpmContext, NpmRouteContext } from './npm-context.js'

function publisher(c: NpmRouteContext, npm: NpmContext) {
  return npm.services.tokens.requirePublisher(c.req.header('authorization'), 'npm')
}

async function readJson(c: NpmRouteContext, npm: NpmContext, label: string): Promise<Buffer> {
  return readLimitedBody(c.req.raw, npm.services.config.maxUploadBytes, label)
}

/**
 * PUT /name: `npm publish` (one new version and its tarball as an attachment), or the document
 * sent back without attachments: `npm deprecate`, and `npm star` (refused).
 */
export async function putPackage(c: NpmRouteContext, npm: NpmContext, name: PackageName): Promise<Response> {
  const principal = publisher(c, npm)
  const doc = parseWriteBody(await readJson(c, npm, `publish of ${name.full}`), 'publish')
  c.set('cacheResult', 'PRIVATE')
  if (!hasAttachments(doc)) return putMetadata(c, npm, name, doc, doc._rev, 'deprecated', principal)
  await admitPublishName(npm, name)
  const published = readPublishDocument(name, doc)
  const rev = await npm.privateRegistry.publish(name, published, principal)
  npm.services.logger.info({ package: name.full, version: published.version, by: principal.name }, 'published')
  return c.json({ ok: true, id: name.full, rev, success: true }, 201)
}

/** PUT /name/-rev/rev: the document without the versions `npm unpublish name@v` removes; `npm owner add/rm` (refused). */
export async function putRevision(c: NpmRouteContext, npm: NpmContext, name: PackageName, rev: string): Promise<Response> {
  const principal = publisher(c, npm)
  const doc = parseWriteBody(await readJson(c, npm, `update of ${name.full}`), 'update')
  c.set('cacheResult', 'PRIVATE')
  return putMetadata(c, npm, name, doc, rev, 'unpublished', principal)
}

async function putMetadata(c: NpmRouteContext, npm: NpmContext, name: PackageName, doc: Record<string, any>, rev: unknown, verb: string, principal: Principal) {
  if (doc.name !== undefined && doc.name !== name.full) {
    throw new LarderError('E_BAD_REQUEST', `update refused: the document names ${String(doc.name)}, the URL ${name.full}`)
  }
  const write = readMetadataWrite(doc)
  if (write.kind === 'owners') throw ownersNotSupported(name.full)
  if (write.kind === 'stars') throw starsNotSupported(name.full)
  const next = await npm.privateRegistry.update(name, rev, write.doc, verb, principal)
  return c.json({ ok: true, id: name.full, rev: next }, 201)
}

/** DELETE /name/-rev/rev: `npm unpublish name --force`. */
export async function deletePackage(c: NpmRouteContext, npm: NpmContext, name: PackageName, rev: string): Promise<Response> {
  const principal = publisher(c, npm)
  await npm.privateRegistry.remove(name, rev, principal)
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
