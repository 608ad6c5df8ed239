/** Logs stay machine-readable: every stdout line is one JSON object, 404s are info without a stack, offline misses say OFFLINE. */
import { connect } from 'node:net'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { makeTempDir, startNpmRegistryFixture, type NpmRegistryFixture, type TempDir } from '@larder/testkit'
import { createClientSandbox, describeRun, type ClientSandbox } from '../support/clients.js'
import { startLarder, type LarderServer } from '../support/larder-process.js'
import { EXPECTED_GRAPH, installedGraph, packNpmGraph, writeProject } from '../support/npm-graph.js'

let fixture: NpmRegistryFixture
let work: TempDir
let clients: ClientSandbox
const started: LarderServer[] = []

beforeAll(async () => {
  fixture = await startNpmRegistryFixture({ packages: (await packNpmGraph()).all })
  work = await makeTempDir('larder-e2e-logs-')
  clients = await createClientSandbox({ registry: 'http://127.0.0.1:1/npm/' })
})
afterAll(async () => {
  for (const larder of started) await larder.stop()
  await clients?.cleanup()
  await work?.cleanup()
  await fixture?.stop()
})

async function start(env: Record<string, string> = {}): Promise<LarderServer> {
  const larder = await startLarder({ dataDir: join(work.path, 'data'), env: { LARDER_NPM_UPSTREAM: fixture.url, ...env } })
  started.push(larder)
  await clients.setRegistry(larder.npmRegistry)
  return larder
}

function stdoutLines(larder: LarderServer): string[] {
  const marker = '--- larder stdout ---\n'
  const text = larder.output()
  return text
    .slice(text.indexOf(marker) + marker.length, text.indexOf('\n--- larder stderr ---'))
    .split('\n')
    .filter(Boolean)
}

describe('log lines', () => {
  it('are all JSON through a real npm install, HEAD requests, upstream 404s and offline misses', async () => {
    const larder = await start()
    const project = await writeProject(join(work.path, 'project'))
    const install = await clients.npm(['install'], { cwd: project })
    expect(install.code, describeRun(install)).toBe(0)
    expect(await installedGraph(project)).toEqual(EXPECTED_GRAPH)

    const packument = `${larder.npmRegistry}e2e-left`
    for (const method of ['HEAD', 'GET', 'HEAD']) expect((await fetch(packument, { method })).status).toBe(200)
    expect((await fetch(`${larder.npmRegistry}no-such-package-anywhere`, { method: 'HEAD' })).status).toBe(404)
    expect((await fetch(`${larder.npmRegistry}no-such-package-anywhere`)).status).toBe(404)
    await larder.stop()

    const offline = await start({ LARDER_OFFLINE: '1' })
    expect((await fetch(`${offline.npmRegistry}never-fetched-package`)).status).toBe(504)
    await offline.stop()

    for (const server of [larder, offline]) {
      const lines = stdoutLines(server)
      expect(lines.length).toBeGreaterThan(2)
      for (const line of lines) expect(() => JSON.parse(line), line).not.toThrow()
      expect(server.output()).toMatch(/--- larder stderr ---\n$/)
    }
    const notFound = stdoutLines(larder)
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((line) => line.code === 'E_NOT_FOUND')
    expect(notFound.length).toBeGreaterThan(0)
    for (const line of notFound) {
      expect(line.level).toBe(30)
      expect(JSON.stringify(line)).not.toMatch(/stack/)
    }
    const head404 = (await larder.requests()).filter((r) => r.method === 'HEAD' && r.status === 404)
    expect(head404.map((r) => r.cache)).toEqual(['MISS'])
    expect((await offline.requests()).find((r) => r.path.endsWith('never-fetched-package'))).toMatchObject({ status: 504, cache: 'OFFLINE' })
  })

  it('says a publish the client cut off is its bad request (warn, no stack), and a path no mirror takes in JSON', async () => {
    const larder = await start({ LARDER_TOKENS: 'ci=e2e-log-token:npm' })
    // A publish of 900 kB announced, 300 kB sent, then the connection closed.
    const socket = connect(larder.port, '127.0.0.1')
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject))
    const head = `PUT /npm/cut-publish HTTP/1.1\r\nhost: 127.0.0.1\r\nauthorization: Bearer e2e-log-token\r\ncontent-type: application/json\r\ncontent-length: 900000\r\n\r\n`
    socket.write(head)
    socket.write(Buffer.alloc(300_000, 0x20))
    await new Promise<void>((resolve) => socket.end(resolve))
    socket.destroy()
    for (const path of ['/nonexistent', '/npm/../../etc/passwd']) {
      const res = await fetch(`${larder.url}${path}`)
      expect(res.status, path).toBe(404)
      expect(res.headers.get('content-type'), path).toMatch(/application\/json/)
      expect(((await res.json()) as { code: string }).code, path).toBe('E_NOT_FOUND')
    }
    const lines = await larder.logs()
    const cut = lines.find((line) => typeof line.msg === 'string' && line.msg.includes('publish of cut-publish was cut short'))
    expect(cut, JSON.stringify(lines)).toMatchObject({ level: 40, code: 'E_BAD_REQUEST' })
    expect(JSON.stringify(cut)).not.toMatch(/stack/)
    expect(lines.some((line) => line.level === 50)).toBe(false)
    await larder.stop()
  })
})
