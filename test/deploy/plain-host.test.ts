/** The deployment without Docker: deploy/systemd/larder.service checked by systemd-analyze, and a real npm through Debian's nginx with deploy/nginx-site.conf in front of the all-in-one server. */
import { createHash, randomBytes } from 'node:crypto'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { makeTempDir, packNpmPackage, run, startNpmRegistryFixture, type NpmRegistryFixture, type PackedPackage, type TempDir } from '@larder/testkit'
import { createClientSandbox, describeRun, type ClientSandbox } from '../support/clients.js'
import { REPO_ROOT, startLarder, type LarderServer } from '../support/larder-process.js'
import { freePort, rawExchange } from './nginx-proxy.js'
import { nginxTestSite, NGINX_SITE_CONFIG, startSiteNginx, substituteSite, type SiteNginx } from './nginx-site.js'

const UNIT = join(REPO_ROOT, 'deploy/systemd/larder.service')
const ENV_EXAMPLE = join(REPO_ROOT, 'deploy/systemd/larder.env.example')
const SYSTEMD_ANALYZE = process.env.LARDER_TEST_SYSTEMD_ANALYZE ?? 'systemd-analyze'
const PUBLISH_TOKEN = 'e2e-plain-host-token-1'
/** An upload well over nginx's default 1 MB client_max_body_size, and random so gzip cannot shrink it. */
const BIG_FILE_BYTES = 5 * 1024 * 1024

let fixture: NpmRegistryFixture
let larder: LarderServer
let nginx: SiteNginx
let npm: ClientSandbox
let work: TempDir
let dep: PackedPackage
let scoped: PackedPackage

const sha512 = (bytes: Buffer) => `sha512-${createHash('sha512').update(bytes).digest('base64')}`
const output = () => `${nginx?.output() ?? ''}\n${larder?.output() ?? ''}`

beforeAll(async () => {
  ;[dep, scoped] = await Promise.all([
    packNpmPackage({ name: 'e2e-plain-dep', version: '1.0.0' }),
    packNpmPackage({ name: '@e2e-plain/scoped', version: '1.0.0', dependencies: { 'e2e-plain-dep': '^1.0.0' } }),
  ])
  fixture = await startNpmRegistryFixture({ packages: [dep, scoped] })
  // Nothing listens here: the other mirrors of the all-in-one server must never reach the internet.
  const closed = `127.0.0.1:${await freePort()}`
  larder = await startLarder({
    env: {
      LARDER_NPM_UPSTREAM: fixture.url,
      LARDER_PYPI_UPSTREAM: `http://${closed}/simple`,
      LARDER_GEMS_UPSTREAM: `http://${closed}`,
      LARDER_COMPOSER_UPSTREAM: `http://${closed}`,
      LARDER_APT_UPSTREAMS: `debian=http://${closed}/debian`,
      LARDER_OCI_UPSTREAMS: `docker.io=http://${closed}`,
      LARDER_FILES_UPSTREAMS: `github=http://${closed}`,
      LARDER_TOKENS: `ci=${PUBLISH_TOKEN}:npm`,
      // As larder.env.example sets it: nginx connects from loopback, its X-Forwarded-* are believed.
      LARDER_TRUSTED_PROXIES: '127.0.0.1',
      LARDER_PUBLIC_URL: undefined,
      LARDER_ALLOWED_HOSTS: undefined,
      LARDER_OFFLINE: undefined,
      HTTP_PROXY: undefined,
      HTTPS_PROXY: undefined,
      http_proxy: undefined,
      https_proxy: undefined,
    },
  })
  nginx = await startSiteNginx(`127.0.0.1:${larder.port}`)
  npm = await createClientSandbox({ registry: `${nginx.url}/npm/`, npmrc: [`//127.0.0.1:${nginx.port}/npm/:_authToken=${PUBLISH_TOKEN}`] })
  work = await makeTempDir('larder-e2e-plain-host-')
}, 120_000)

afterAll(async () => {
  await nginx?.stop()
  await larder?.stop()
  await fixture?.stop()
  await npm?.cleanup()
  await work?.cleanup()
})

/** Paths the server logged, as it received them (undecoded). */
async function loggedPaths(): Promise<string[]> {
  return (await larder.logs()).flatMap((line) => (typeof line.path === 'string' ? [line.path] : []))
}

async function packument(name: string, headers: Record<string, string> = {}): Promise<any> {
  const response = await fetch(`${nginx.url}/npm/${name.replace('/', '%2f')}`, { headers })
  expect(response.status, output()).toBe(200)
  return response.json()
}

describe('deploy/systemd/larder.service', () => {
  it('passes systemd-analyze verify with no warning at all', async () => {
    const unit = await readFile(UNIT, 'utf8')
    // verify refuses an ExecStart binary that does not exist, and this machine's /usr/bin/node may be
    // missing (or too old to run Larder): check a copy whose ExecStart names the node running this
    // test, the only change. User= is kept: verify does not look the user up.
    const execStarts = unit.match(/^ExecStart=\/usr\/bin\/node apps\/server\/dist\/main\.js$/gm) ?? []
    expect(execStarts, 'exactly one "ExecStart=/usr/bin/node apps/server/dist/main.js" line').toHaveLength(1)
    const dir = await makeTempDir('larder-e2e-unit-')
    try {
      const copy = join(dir.path, 'larder.service')
      await writeFile(copy, unit.replace(/^ExecStart=\/usr\/bin\/node /m, `ExecStart=${process.execPath} `))
      const verified = await run(SYSTEMD_ANALYZE, ['verify', copy], { timeoutMs: 60_000 })
      const said = `${verified.stdout}${verified.stderr}`
      expect(verified.code, said).toBe(0)
      // Unknown keys and unparsable values are only warnings (exit 0): nothing may be said at all.
      expect(said.trim(), said).toBe('')
    } finally {
      await dir.cleanup()
    }
  })

  it('runs the server as documented', async () => {
    const unit = await readFile(UNIT, 'utf8')
    const directives = new Set(unit.split('\n').filter((line) => /^[A-Z]/.test(line)))
    for (const line of [
      'User=larder',
      'WorkingDirectory=/opt/larder',
      'EnvironmentFile=-/etc/larder/larder.env',
      'Environment=HOST=127.0.0.1 PORT=8080 LARDER_DATA_DIR=/var/lib/larder NODE_ENV=production',
      'Environment=NODE_OPTIONS=--max-semi-space-size=4',
      'StateDirectory=larder',
      'ReadWritePaths=/var/lib/larder',
      'Restart=on-failure',
      'KillSignal=SIGTERM',
      'NoNewPrivileges=yes',
      'ProtectSystem=strict',
      'ProtectHome=yes',
      'PrivateTmp=yes',
    ]) {
      expect(directives.has(line), line).toBe(true)
    }
    expect(unit).toMatch(/^LimitNOFILE=\d+$/m)
    // V8's JIT needs writable executable memory.
    expect(unit).not.toMatch(/^MemoryDenyWriteExecute=/m)
  })

  it('larder.env.example sets only settings Larder has (those of .env.example) and trusts the local nginx', async () => {
    const names = (text: string) => [...text.matchAll(/^([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]!)
    const known = new Set([...names(await readFile(join(REPO_ROOT, '.env.example'), 'utf8')), 'LARDER_TRUSTED_PROXIES'])
    const example = await readFile(ENV_EXAMPLE, 'utf8')
    expect(names(example).filter((name) => !known.has(name))).toEqual([])
    expect(example).toMatch(/^LARDER_TRUSTED_PROXIES=127\.0\.0\.1$/m)
    // Fixed in the unit, or meant for docker compose only.
    for (const name of ['HOST', 'PORT', 'LARDER_DATA_DIR', 'LARDER_PORT', 'LARDER_IMAGE', 'LARDER_PROXY_ADDRESS']) {
      expect(names(example), name).not.toContain(name)
    }
  })
})

describe('deploy/nginx-site.conf with Debian nginx in front of the all-in-one server', () => {
  it('passes nginx -t as shipped inside a Debian-like http {}, without resolve', async () => {
    const site = await readFile(NGINX_SITE_CONFIG, 'utf8')
    expect(site).not.toMatch(/^\s*[^#\n]*\bresolve\b/m)
    const tested = await nginxTestSite(site)
    expect(tested.code, tested.stderr).toBe(0)
    expect(tested.stderr).toMatch(/test is successful/)
    expect(tested.stderr).not.toMatch(/\[(warn|emerg|alert|crit)\]/)
    // What the test runs differs from the file only in the two substituted lines.
    expect(() => substituteSite(`${site}\nlisten 80;\n`, '127.0.0.1:1', '127.0.0.1:2')).toThrow(/exactly one "listen 80;"/)
    const changed = nginx.config.split('\n').filter((line, i) => line !== site.split('\n')[i])
    expect(changed.map((line) => line.trim())).toEqual([`server 127.0.0.1:${larder.port};`, `listen 127.0.0.1:${nginx.port};`])
  })

  it('npm install of a scoped package (%2f in the path) works, and every link points at nginx', async () => {
    const project = join(work.path, 'npm-project')
    await mkdir(project)
    await writeFile(join(project, 'package.json'), JSON.stringify({ name: 'plain-app', version: '1.0.0', dependencies: { '@e2e-plain/scoped': '1.0.0' } }))
    const result = await npm.npm(['install'], { cwd: project })
    expect(result.code, describeRun(result) + output()).toBe(0)
    const lock = JSON.parse(await readFile(join(project, 'package-lock.json'), 'utf8'))
    expect(lock.packages['node_modules/@e2e-plain/scoped'].resolved).toBe(`${nginx.url}/npm/@e2e-plain/scoped/-/${scoped.filename}`)
    expect(lock.packages['node_modules/e2e-plain-dep'].resolved).toBe(`${nginx.url}/npm/e2e-plain-dep/-/${dep.filename}`)
    expect((await packument('@e2e-plain/scoped')).versions['1.0.0'].dist.tarball).toBe(`${nginx.url}/npm/@e2e-plain/scoped/-/${scoped.filename}`)
    // nginx must hand the request line over as sent: a decoded %2f would turn the name into a path.
    expect(await loggedPaths()).toContain('/npm/@e2e-plain%2fscoped')
  })

  it('Larder believes the forwarded headers nginx passes on (LARDER_TRUSTED_PROXIES=127.0.0.1)', async () => {
    // nginx sends Host without the port ($host): only X-Forwarded-Host keeps it, so the links above
    // already needed the forwarded headers. Those of an outer proxy pass through as well.
    const doc = await packument('e2e-plain-dep', {
      'x-forwarded-proto': 'https',
      'x-forwarded-host': 'mirror.example.com',
      'x-forwarded-prefix': '/mirrors',
    })
    expect(doc.versions['1.0.0'].dist.tarball).toBe(`https://mirror.example.com/mirrors/npm/e2e-plain-dep/-/${dep.filename}`)
  })

  it('passes a cached tarball through uncompressed, with Range (206) and If-None-Match', async () => {
    const url = (await packument('e2e-plain-dep')).versions['1.0.0'].dist.tarball as string
    const full = await fetch(url, { headers: { 'accept-encoding': 'gzip, deflate, br' } })
    expect(full.status).toBe(200)
    expect(full.headers.get('content-encoding')).toBeNull()
    expect(sha512(Buffer.from(await full.arrayBuffer()))).toBe(dep.integrity)
    const part = await fetch(url, { headers: { range: 'bytes=10-109' } })
    expect(part.status, output()).toBe(206)
    expect(part.headers.get('content-range')).toBe(`bytes 10-109/${dep.tarball.length}`)
    expect(Buffer.from(await part.arrayBuffer())).toEqual(dep.tarball.subarray(10, 110))
    const etag = full.headers.get('etag')
    expect(etag).toBeTruthy()
    expect((await fetch(url, { headers: { 'if-none-match': etag! } })).status).toBe(304)
  })

  it('npm publish of a package with a 5 MB file goes through nginx, and comes back byte for byte', async () => {
    const source = join(work.path, 'big-package')
    await mkdir(source)
    await writeFile(join(source, 'package.json'), JSON.stringify({ name: 'e2e-plain-big', version: '1.0.0', license: 'MIT' }))
    await writeFile(join(source, 'blob.bin'), randomBytes(BIG_FILE_BYTES))
    const published = await npm.npm(['publish'], { cwd: source, timeoutMs: 240_000 })
    expect(published.code, describeRun(published) + output()).toBe(0)
    const dist = (await packument('e2e-plain-big')).versions['1.0.0'].dist
    expect(dist.tarball.startsWith(`${nginx.url}/npm/`)).toBe(true)
    const tarball = Buffer.from(await (await fetch(dist.tarball)).arrayBuffer())
    expect(tarball.length).toBeGreaterThan(BIG_FILE_BYTES)
    expect(sha512(tarball)).toBe(dist.integrity)
  }, 300_000)

  it('serves the ops endpoints and refuses Content-Length with Transfer-Encoding (no smuggling)', async () => {
    expect(await (await fetch(`${nginx.url}/healthz`)).json()).toEqual({ status: 'ok' })
    expect((await fetch(`${nginx.url}/readyz`)).status, output()).toBe(200)
    const raw = [
      'POST /npm/-/npm/v1/security/advisories/bulk HTTP/1.1',
      `Host: 127.0.0.1:${nginx.port}`,
      'Content-Type: application/json',
      'Content-Length: 4',
      'Transfer-Encoding: chunked',
      '',
      '0',
      '',
      'GET /npm/smuggled-by-a-second-request HTTP/1.1',
      `Host: 127.0.0.1:${nginx.port}`,
      '',
      '',
    ].join('\r\n')
    expect(await rawExchange(nginx.port, raw)).toMatch(/^HTTP\/1\.1 400 /)
    expect((await loggedPaths()).filter((path) => path.includes('smuggled') || path.includes('advisories'))).toEqual([])
  })
})
