/** Real pip installs through the PyPI mirror from a PEP 691 JSON upstream and an HTML-only one, online, upstream down, and offline. */
import { createHash } from 'node:crypto'
import { readFile, readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildPythonDists, makeTempDir, startPypiIndexFixture, type PypiIndexFixture, type PythonDist, type TempDir } from '@larder/testkit'
import { createPythonClients, describeRun, type PythonClients } from './python-clients.js'
import { startPypiServer, type PypiServer } from './pypi-process.js'

let lib10: { wheel: PythonDist; sdist: PythonDist }
let lib11: PythonDist
let app10: PythonDist
let bad: PythonDist
let src: PythonDist
let jsonUpstream: PypiIndexFixture
let htmlUpstream: PypiIndexFixture
let clients: PythonClients
const servers: PypiServer[] = []
const dataDirs: TempDir[] = []

/** A store that outlives the servers using it (a restart keeps it). */
async function newDataDir(): Promise<string> {
  const dir = await makeTempDir('larder-e2e-pypi-store-')
  dataDirs.push(dir)
  return dir.path
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex')

async function start(upstream: PypiIndexFixture, env: Record<string, string> = {}, dataDir?: string): Promise<PypiServer> {
  const server = await startPypiServer({ env: { LARDER_PYPI_UPSTREAM: upstream.simpleUrl, ...env }, dataDir })
  servers.push(server)
  return server
}

async function installed(module: string): Promise<string> {
  const result = await clients.python(['-c', `import ${module}; print(${module}.__version__)`])
  return result.stdout.trim() || describeRun(result)
}

beforeAll(async () => {
  lib10 = await buildPythonDists({ name: 'e2e-lib', version: '1.0' })
  lib11 = (await buildPythonDists({ name: 'e2e-lib', version: '1.1' })).wheel
  app10 = (await buildPythonDists({ name: 'e2e_app', version: '1.0', requires: ['e2e-lib>=1.0'] })).wheel
  bad = (await buildPythonDists({ name: 'e2e-bad', version: '1.0' })).wheel
  src = (await buildPythonDists({ name: 'e2e-src', version: '0.3' })).sdist
  jsonUpstream = await startPypiIndexFixture({ format: 'json', dists: [lib10.wheel, lib10.sdist, app10] })
  jsonUpstream.publish(lib11, { yanked: 'do not use' })
  jsonUpstream.publish(bad, { advertisedSha256: sha256(Buffer.from('something else')) })
  htmlUpstream = await startPypiIndexFixture({ format: 'html', dists: [src] })
  clients = await createPythonClients()
})

afterAll(async () => {
  for (const server of servers) await server.stop()
  for (const dir of dataDirs) await dir.cleanup()
  await jsonUpstream?.stop()
  await htmlUpstream?.stop()
  await clients?.cleanup()
})

describe('pip through the mirror of a PEP 691 upstream', () => {
  let larder: PypiServer

  it('installs a dependency graph, skipping the yanked release', async () => {
    larder = await start(jsonUpstream, {}, await newDataDir())
    const result = await clients.pip(['install', '--index-url', larder.indexUrl, 'e2e-app'])
    expect(result.code, describeRun(result) + larder.output()).toBe(0)
    expect(await installed('e2e_app')).toBe('1.0')
    expect(await installed('e2e_lib')).toBe('1.0')
    const paths = (await larder.requests()).map((r) => r.path)
    expect(paths).toContain(`/pypi/files/e2e-lib/${lib10.wheel.sha256}/${lib10.wheel.filename}`)
    expect(paths.some((p) => p.includes(lib11.filename) && !p.endsWith('.metadata'))).toBe(false)
  })

  it('pip download and --require-hashes get the upstream bytes', async () => {
    const dest = join(clients.root, 'downloads')
    const download = await clients.pip(['download', '--no-deps', '--index-url', larder.indexUrl, '-d', dest, 'e2e-lib==1.0', '--no-binary', ':all:'])
    expect(download.code, describeRun(download)).toBe(0)
    expect(sha256(await readFile(join(dest, lib10.sdist.filename)))).toBe(lib10.sdist.sha256)
    await clients.freshVenv()
    const requirements = await clients.writeFile('req.txt', `e2e-lib==1.0 --hash=sha256:${lib10.wheel.sha256}\n`)
    const pinned = await clients.pip(['install', '--index-url', larder.indexUrl, '--require-hashes', '-r', requirements])
    expect(pinned.code, describeRun(pinned)).toBe(0)
    const wrong = await clients.writeFile('wrong.txt', `e2e-lib==1.0 --hash=sha256:${'0'.repeat(64)}\n`)
    const refused = await clients.pip(['install', '--index-url', larder.indexUrl, '--require-hashes', '-r', wrong, '--force-reinstall'])
    expect(refused.code).not.toBe(0)
    expect(refused.stderr).toMatch(/HASHES|hash/i)
  })

  it('refuses a file whose bytes do not match the upstream hash, and does not store it', async () => {
    const result = await clients.pip(['install', '--index-url', larder.indexUrl, 'e2e-bad'])
    expect(result.code).not.toBe(0)
    const before = jsonUpstream.files.hitCount(`/files/${bad.filename}`)
    expect(before).toBeGreaterThan(0)
    const url = `${larder.url}/pypi/files/e2e-bad/${sha256(Buffer.from('something else'))}/${bad.filename}`
    await fetch(url)
      .then((r) => r.arrayBuffer())
      .catch(() => undefined)
    expect(jsonUpstream.files.hitCount(`/files/${bad.filename}`)).toBe(before + 1)
    expect(await installed('e2e_bad')).toMatch(/ModuleNotFoundError/)
  })

  it('installs again with an empty pip cache while the upstream is down, then with LARDER_OFFLINE=1', async () => {
    await larder.stop()
    larder = await start(jsonUpstream, { LARDER_INDEX_TTL_SECONDS: '0' }, larder.dataDir)
    await jsonUpstream.index.setFault('refuse')
    await jsonUpstream.files.setFault('refuse')
    try {
      await clients.freshVenv()
      const down = await clients.pip(['install', '--index-url', larder.indexUrl, 'e2e-app'])
      expect(down.code, describeRun(down) + larder.output()).toBe(0)
      expect((await larder.requests()).some((r) => r.cache === 'STALE')).toBe(true)
      const dataDir = larder.dataDir
      await larder.stop()
      larder = await start(jsonUpstream, { LARDER_OFFLINE: '1' }, dataDir)
      await clients.freshVenv()
      const offline = await clients.pip(['install', '--index-url', larder.indexUrl, 'e2e-app'])
      expect(offline.code, describeRun(offline) + larder.output()).toBe(0)
      expect(await installed('e2e_lib')).toBe('1.0')
      expect((await larder.requests()).every((r) => r.cache === 'OFFLINE' || r.status >= 400)).toBe(true)
    } finally {
      await jsonUpstream.index.setFault(null)
      await jsonUpstream.files.setFault(null)
    }
  })
})

describe('pip through the mirror of an HTML-only static index', () => {
  it('installs an sdist with --no-deps (built locally), then offline from the store', async () => {
    const larder = await start(htmlUpstream, {}, await newDataDir())
    await clients.freshVenv()
    const result = await clients.pip(['install', '--no-deps', '--index-url', larder.indexUrl, 'e2e-src'])
    expect(result.code, describeRun(result) + larder.output()).toBe(0)
    expect(await installed('e2e_src')).toBe('0.3')
    const dataDir = larder.dataDir
    await htmlUpstream.index.setFault('refuse')
    try {
      const offline = await start(htmlUpstream, { LARDER_OFFLINE: '1' }, dataDir)
      await clients.freshVenv()
      const again = await clients.pip(['install', '--no-deps', '--index-url', offline.indexUrl, 'e2e-src'])
      expect(again.code, describeRun(again)).toBe(0)
      expect(await readdir(dataDir)).toContain('store')
    } finally {
      await htmlUpstream.index.setFault(null)
    }
  })
})
