/** Helpers for publishing to Larder in tests: package source dirs for `npm publish`, and raw publish requests. */
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { packNpmPackage } from '@larder/testkit'

/** A package source directory (under `root`) whose index.js names its version, ready for `npm publish`. */
export async function writePackageSource(root: string, name: string, version: string, dependencies: Record<string, string> = {}): Promise<string> {
  const dir = join(root, `${name.replace('/', '+')}@${version}`)
  await mkdir(dir, { recursive: true })
  await writeFile(join(dir, 'package.json'), JSON.stringify({ name, version, main: 'index.js', license: 'MIT', dependencies }))
  await writeFile(join(dir, 'index.js'), `module.exports = ${JSON.stringify({ name, version })}\n`)
  return dir
}

/** The JSON `npm publish` sends, built by hand so the server's own checks can be tested without npm's. */
export async function publishDocument(registry: string, name: string, version: string): Promise<string> {
  const packed = await packNpmPackage({ name, version, files: { 'index.js': `module.exports = 'raw ${version}'\n` } })
  const manifest = {
    ...packed.manifest,
    _id: `${name}@${version}`,
    dist: { integrity: packed.integrity, shasum: packed.shasum, tarball: `${registry}${name}/-/${packed.filename}` },
  }
  const attachment = { content_type: 'application/octet-stream', data: packed.tarball.toString('base64'), length: packed.tarball.length }
  return JSON.stringify({
    _id: name,
    name,
    'dist-tags': { latest: version },
    versions: { [version]: manifest },
    _attachments: { [packed.filename]: attachment },
  })
}

/** `PUT <registry>/<name>` as npm sends a publish, with a Bearer token when given. */
export function putPackage(registry: string, name: string, body: string, token?: string): Promise<Response> {
  return fetch(`${registry}${name.replace('/', '%2f')}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body,
  })
}
