/** Builds the PyPI app on real parts (fs store, upstream client, fixture indexes) for app.request() tests. */
import { createServices, loadConfig, type LarderServices } from '@larder/core'
import { makeTempDir, startPypiIndexFixture, type PypiIndexFixture, type PypiIndexFormat, type PythonDist } from '@larder/testkit'
import type { Hono } from 'hono'
import { createApp, pypiMirror } from './app.js'

export const TEST_TOKEN = 'pypi-test-token-123'
export const BASE = 'http://larder.test:8080'

export interface PypiAppHarness {
  app: Hono<any>
  services: LarderServices
  upstream: PypiIndexFixture
  request(path: string, init?: RequestInit): Promise<Response>
  /** A second app over the same store, e.g. offline. */
  reopen(env: Record<string, string>): Promise<PypiAppHarness>
  close(): Promise<void>
}

export async function startPypiAppHarness(format: PypiIndexFormat, dists: PythonDist[], env: Record<string, string> = {}): Promise<PypiAppHarness> {
  const upstream = await startPypiIndexFixture({ format, dists })
  const dataDir = await makeTempDir('larder-pypi-app-')
  const opened: LarderServices[] = []
  const open = async (extraEnv: Record<string, string>): Promise<PypiAppHarness> => {
    const config = loadConfig({
      // Quiet, and an upstream that fails fast: each fault resolves within a test.
      LARDER_LOG_LEVEL: 'silent',
      LARDER_UPSTREAM_TIMEOUT_SECONDS: '2',
      LARDER_UPSTREAM_RETRIES: '0',
      LARDER_DATA_DIR: dataDir.path,
      LARDER_PYPI_UPSTREAM: upstream.simpleUrl,
      LARDER_TOKENS: `tester=${TEST_TOKEN}:pypi,npmonly=npm-only-token-1:npm`,
      ...env,
      ...extraEnv,
    }, { mirrors: [pypiMirror] })
    const services = createServices(config)
    opened.push(services)
    const app = createApp({ services })
    return {
      app,
      services,
      upstream,
      request: (path, init) => Promise.resolve(app.request(`${BASE}${path}`, init)),
      reopen: (more) => open(more),
      close: async () => {
        for (const s of opened) await s.close()
        await upstream.stop()
        await dataDir.cleanup()
      },
    }
  }
  return open({})
}

/** A twine-like multipart body. */
export function uploadForm(fields: Record<string, string>, file?: { filename: string; bytes: Buffer }, boundary = 'larderTestBoundary7'): { body: Buffer; contentType: string } {
  const chunks: Buffer[] = []
  for (const [name, value] of Object.entries(fields)) {
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`))
  }
  if (file) {
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="content"; filename="${file.filename}"\r\nContent-Type: application/octet-stream\r\n\r\n`))
    chunks.push(file.bytes, Buffer.from('\r\n'))
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`))
  return { body: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` }
}

export const basicAuth = (token: string) => `Basic ${Buffer.from(`__token__:${token}`).toString('base64')}`
