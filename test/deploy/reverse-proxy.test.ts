/** Real npm, pip and gem through deploy/nginx.conf (Debian's nginx) in front of each app running alone, as in docker-compose.yml. */
import { createHash, randomBytes } from 'node:crypto'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { makeTempDir, type TempDir } from '@larder/testkit'
import { createClientSandbox, describeRun, type ClientSandbox } from '../support/clients.js'
import { createPythonClients, type PythonClients } from '../pypi/python-clients.js'
import { createRubySandbox, type RubySandbox } from '../gems/ruby-clients.js'
import type { AppProcess } from './app-process.js'
import { childPids, rawExchange } from './nginx-proxy.js'
import { PUBLISH_TOKEN, startProxyStack, type ProxyStack } from './proxy-stack.js'

/** An upload well over nginx's default 1 MB client_max_body_size, and random so gzip cannot shrink it. */
const BIG_FILE_BYTES = 5 * 1024 * 1024

let stack: ProxyStack
let npm: ClientSandbox
let work: TempDir
let python: PythonClients | undefined
let ruby: RubySandbox | undefined

const sha512 = (bytes: Buffer) => `sha512-${createHash('sha512').update(bytes).digest('base64')}`
const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

beforeAll(async () => {
  stack = await startProxyStack()
  const registry = `${stack.proxy.url}/npm/`
  npm = await createClientSandbox({ registry, npmrc: [`//127.0.0.1:${stack.proxy.port}/npm/:_authToken=${PUBLISH_TOKEN}`] })
  work = await makeTempDir('larder-e2e-deploy-')
})

afterAll(async () => {
  await stack?.stop()
  await npm?.cleanup()
  await python?.cleanup()
  await ruby?.cleanup()
  await work?.cleanup()
})

function app(name: string): AppProcess {
  const found = stack.apps.find((a) => a.app === name)
  if (!found) throw new Error(`${name} is not running`)
  return found
}

async function packument(name: string, headers: Record<string, string> = {}): Promise<any> {
  const response = await fetch(`${stack.proxy.url}/npm/${name.replace('/', '%2f')}`, { headers })
  expect(response.status, stack.output()).toBe(200)
  return response.json()
}

describe('the reverse proxy in front of the apps', () => {
  it('routes each prefix to its own app and the ops endpoints to one of them', async () => {
    expect(await (await fetch(`${stack.proxy.url}/healthz`)).json()).toEqual({ status: 'ok' })
    expect(await (await fetch(`${stack.proxy.url}/readyz`)).json()).toEqual({ status: 'ready' })
    const metrics = await fetch(`${stack.proxy.url}/metrics`)
    expect(metrics.status).toBe(200)
    expect(metrics.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/)
    const probes = {
      npm: '/npm/-/ping',
      pypi: '/pypi/simple/',
      composer: '/composer/packages.json',
      gems: '/gems/versions',
      apt: '/apt/',
      oci: '/v2/',
      files: '/files/',
    }
    for (const app of stack.apps) {
      // Only the app sets x-request-id: an nginx error page (502 for a wrong upstream) has none.
      const response = await fetch(`${stack.proxy.url}${probes[app.app]}`)
      expect(response.headers.get('x-request-id'), `${app.app}: ${response.status}\n${stack.output()}`).toBeTruthy()
    }
    // OCI clients know a registry by /v2/ at the host root answering with the API version.
    const registry = await fetch(`${stack.proxy.url}/v2/`)
    expect(registry.status, stack.output()).toBe(200)
    expect(registry.headers.get('docker-distribution-api-version')).toBe('registry/2.0')
    const unreachable = await fetch(`${stack.proxy.url}/v2/docker.io/library/debian/manifests/bookworm`)
    expect(unreachable.status).toBeGreaterThanOrEqual(500)
    expect(((await unreachable.json()) as any).errors?.[0]?.code).toBe('UNAVAILABLE')
    const unknown = await fetch(`${stack.proxy.url}/elsewhere/`)
    expect(unknown.status).toBe(404)
    expect(unknown.headers.get('x-request-id')).toBeNull()
  })

  it('npm install of a scoped package (%2f in the path) works, and every link points at the proxy', async () => {
    const project = join(work.path, 'npm-project')
    await mkdir(project)
    await writeFile(join(project, 'package.json'), JSON.stringify({ name: 'deploy-app', version: '1.0.0', dependencies: { '@e2e-deploy/scoped': '1.0.0' } }))
    const result = await npm.npm(['install'], { cwd: project })
    expect(result.code, describeRun(result) + stack.output()).toBe(0)
    const lock = JSON.parse(await readFile(join(project, 'package-lock.json'), 'utf8'))
    expect(lock.packages['node_modules/@e2e-deploy/scoped'].resolved).toBe(`${stack.proxy.url}/npm/@e2e-deploy/scoped/-/${stack.npm.scoped.filename}`)
    expect(lock.packages['node_modules/e2e-deploy-dep'].resolved).toBe(`${stack.proxy.url}/npm/e2e-deploy-dep/-/${stack.npm.dep.filename}`)
    expect((await packument('@e2e-deploy/scoped')).versions['1.0.0'].dist.tarball.startsWith(`${stack.proxy.url}/npm/`)).toBe(true)
    // nginx must hand the request line over as sent: a decoded %2f would turn the name into a path.
    expect(app('npm').requestPaths()).toContain('/npm/@e2e-deploy%2fscoped')
  })

  it('writes links for the public URL an outer proxy forwards (proto, host and a path prefix)', async () => {
    const doc = await packument('e2e-deploy-dep', {
      'x-forwarded-proto': 'https',
      'x-forwarded-host': 'mirror.example.com',
      'x-forwarded-prefix': '/mirrors',
    })
    expect(doc.versions['1.0.0'].dist.tarball).toBe(`https://mirror.example.com/mirrors/npm/e2e-deploy-dep/-/${stack.npm.dep.filename}`)
  })

  it('passes a cached tarball through uncompressed, with Range and If-None-Match', async () => {
    const url = (await packument('e2e-deploy-dep')).versions['1.0.0'].dist.tarball as string
    const full = await fetch(url, { headers: { 'accept-encoding': 'gzip, deflate, br' } })
    expect(full.status).toBe(200)
    expect(full.headers.get('content-encoding')).toBeNull()
    expect(sha512(Buffer.from(await full.arrayBuffer()))).toBe(stack.npm.dep.integrity)
    const size = stack.npm.dep.tarball.length
    const part = await fetch(url, { headers: { range: 'bytes=10-109' } })
    expect(part.status).toBe(206)
    expect(part.headers.get('content-range')).toBe(`bytes 10-109/${size}`)
    expect(Buffer.from(await part.arrayBuffer())).toEqual(stack.npm.dep.tarball.subarray(10, 110))
    const etag = full.headers.get('etag')
    expect(etag).toBeTruthy()
    const again = await fetch(url, { headers: { 'if-none-match': etag! } })
    expect(again.status).toBe(304)
  })

  it('npm publish of a package with a 5 MB file goes through the proxy, and comes back byte for byte', async () => {
    const source = join(work.path, 'big-package')
    await mkdir(source)
    await writeFile(join(source, 'package.json'), JSON.stringify({ name: 'e2e-deploy-big', version: '1.0.0', license: 'MIT' }))
    await writeFile(join(source, 'blob.bin'), randomBytes(BIG_FILE_BYTES))
    const published = await npm.npm(['publish'], { cwd: source, timeoutMs: 240_000 })
    expect(published.code, describeRun(published) + stack.output()).toBe(0)
    const dist = (await packument('e2e-deploy-big')).versions['1.0.0'].dist
    expect(dist.tarball.startsWith(`${stack.proxy.url}/npm/`)).toBe(true)
    const tarball = Buffer.from(await (await fetch(dist.tarball)).arrayBuffer())
    expect(tarball.length).toBeGreaterThan(BIG_FILE_BYTES)
    expect(sha512(tarball)).toBe(dist.integrity)
    // Each app keeps its own events; the proxy lists one app's at /-/events/<app>.
    const auth = { authorization: `Bearer ${PUBLISH_TOKEN}` }
    const listed = (await (await fetch(`${stack.proxy.url}/-/events/npm?limit=50`, { headers: auth })).json()) as { events: any[] }
    const event = listed.events.find((e) => e.name === 'e2e-deploy-big')
    expect(event, JSON.stringify(listed)).toMatchObject({ type: 'publish', ecosystem: 'npm', version: '1.0.0', by: 'ci' })
    expect(event.files[0].sha256).toBe(createHash('sha256').update(tarball).digest('hex'))
    const files = await fetch(`${stack.proxy.url}/-/events/files`, { headers: auth })
    expect(files.status, stack.output()).toBe(200)
    expect(files.headers.get('x-request-id')).toBeTruthy()
    expect((await fetch(`${stack.proxy.url}/-/events/npm`)).status).toBe(401)
  })

  it('refuses a request that carries both Content-Length and Transfer-Encoding (no smuggling past nginx)', async () => {
    const smuggled = '/npm/smuggled-by-a-second-request'
    const raw = [
      'POST /npm/-/npm/v1/security/advisories/bulk HTTP/1.1',
      `Host: 127.0.0.1:${stack.proxy.port}`,
      'Content-Type: application/json',
      'Content-Length: 4',
      'Transfer-Encoding: chunked',
      '',
      '0',
      '',
      `GET ${smuggled} HTTP/1.1`,
      `Host: 127.0.0.1:${stack.proxy.port}`,
      '',
      '',
    ].join('\r\n')
    const answer = await rawExchange(stack.proxy.port, raw)
    expect(answer).toMatch(/^HTTP\/1\.1 400 /)
    // Answered by nginx alone: a request that reached no app cannot be split into two by one of them.
    const npmApp = stack.apps.find((a) => a.app === 'npm')!
    expect(npmApp.requestPaths().filter((path) => path.includes('smuggled') || path.includes('advisories'))).toEqual([])
  })

  it('pip install from the simple index through the proxy; file links point at the proxy', async () => {
    python = await createPythonClients()
    const indexUrl = `${stack.proxy.url}/pypi/simple/`
    const result = await python.pip(['install', '--index-url', indexUrl, 'e2e-deploy-py'])
    expect(result.code, describeRun(result) + stack.output()).toBe(0)
    const imported = await python.python(['-c', 'import e2e_deploy_py; print(e2e_deploy_py.__version__)'])
    expect(imported.stdout.trim(), describeRun(imported)).toBe('1.0')
    const page = await fetch(`${indexUrl}e2e-deploy-py/`, { headers: { accept: 'application/vnd.pypi.simple.v1+json' } })
    const files = ((await page.json()) as { files: { url: string; filename: string }[] }).files
    expect(files.map((f) => f.filename)).toEqual([stack.wheel.filename])
    expect(files[0]!.url.startsWith(`${stack.proxy.url}/pypi/`)).toBe(true)
  })

  it('gem install through the proxy', async () => {
    ruby = await createRubySandbox()
    const result = await ruby.gem(['install', '--clear-sources', '--source', `${stack.proxy.url}/gems/`, '--no-document', 'e2e-deploy-gem'])
    expect(result.code, describeRun(result) + stack.output()).toBe(0)
    expect((await ruby.gem(['list', '--local'])).stdout).toContain('e2e-deploy-gem (1.0.0)')
  })

  it('stops nginx (master and workers) and every app', async () => {
    const { proxy, apps } = stack
    const workers = childPids(proxy.pid)
    expect(workers.length).toBeGreaterThan(0)
    await stack.stop()
    for (const app of apps) expect(isAlive(app.pid), app.app).toBe(false)
    expect(isAlive(proxy.pid)).toBe(false)
    for (const pid of workers) expect(isAlive(pid), `nginx worker ${pid}`).toBe(false)
  })
})
