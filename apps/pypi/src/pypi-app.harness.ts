/** Builds the PyPI app on real parts (fs store, upstream client, fixture indexes) for app.request() tests. */
import { openMirrorTestApp, TEST_BASE_URL, type MirrorTestApp } from '@larder/core/testing'
import { startPypiIndexFixture, type PypiIndexFixture, type PypiIndexFormat, type PythonDist } from '@larder/testkit'
import type { Hono } from 'hono'
import { pypiMirror } from './app.js'

export const TEST_TOKEN = 'pypi-test-token-123'
export const BASE = TEST_BASE_URL

export interface PypiAppHarness extends MirrorTestApp<Hono<any>> {
  upstream: PypiIndexFixture
  reopen(env: Record<string, string>): Promise<PypiAppHarness>
}

export async function startPypiAppHarness(format: PypiIndexFormat, dists: PythonDist[], env: Record<string, string> = {}): Promise<PypiAppHarness> {
  const upstream = await startPypiIndexFixture({ format, dists })
  const opened = await openMirrorTestApp({
    mirror: pypiMirror,
    env: () => ({ LARDER_PYPI_UPSTREAM: upstream.simpleUrl, LARDER_TOKENS: `tester=${TEST_TOKEN}:pypi,npmonly=npm-only-token-1:npm`, ...env }),
    onClose: () => upstream.stop(),
  })
  const withUpstream = (app: MirrorTestApp<Hono<any>>): PypiAppHarness => ({ ...app, upstream, reopen: async (more) => withUpstream(await app.reopen(more)) })
  return withUpstream(opened)
}

/** A twine-like multipart body. */
export function uploadForm(
  fields: Record<string, string>,
  file?: { filename: string; bytes: Buffer },
  boundary = 'larderTestBoundary7',
): { body: Buffer; contentType: string } {
  const chunks: Buffer[] = []
  for (const [name, value] of Object.entries(fields)) {
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`))
  }
  if (file) {
    chunks.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="content"; filename="${file.filename}"\r\nContent-Type: application/octet-stream\r\n\r\n`,
      ),
    )
    chunks.push(file.bytes, Buffer.from('\r\n'))
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`))
  return { body: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` }
}

export const basicAuth = (token: string) => `Basic ${Buffer.from(`__token__:${token}`).toString('base64')}`
