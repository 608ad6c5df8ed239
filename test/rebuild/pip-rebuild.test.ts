/**
 * The rebuild guarantee for pip: requirements files the real pip wrote (`pip freeze`, and the same
 * pins with `--hash`es from `pip hash`) through Larder A; `larder prefetch` fills a fresh store,
 * `larder verify` passes, and the real pip in a fresh venv installs with `--require-hashes` from a
 * Larder on that store with LARDER_OFFLINE=1.
 */
import { readdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startLarder, type LarderServer } from '../support/larder-process.js'
import { describeRun } from '../pypi/python-clients.js'
import { exportAndCheck, importWhileServing, sha256Hex } from './bundle-steps.js'
import { blobPath, describeCli, larderCli, NO_UPSTREAM, parseReport, verifyWithoutBlob } from './larder-cli.js'
import { indexUrl, startPypiFamily, type PypiFamily } from './pypi-family.js'
import { startDeadUpstreamLarder, startOfflineLarder } from './store-larders.js'

let py: PypiFamily
// The family's parts, under the names the tests below use.
let lib: PypiFamily['lib'], app: PypiFamily['app'], upstream: PypiFamily['upstream'], clients: PypiFamily['clients']
let work: PypiFamily['work'], upstreamEnv: PypiFamily['upstreamEnv']
let frozen: string
let hashed: string
/** A' : the store `larder prefetch` fills in this process. */
let prefetched: string
const servers: LarderServer[] = []

async function pip(args: string[]) {
  const result = await clients.pip(args)
  if (result.code !== 0) throw new Error(`pip ${args.join(' ')}: ${describeRun(result)}`)
  return result.stdout
}

beforeAll(async () => {
  py = await startPypiFamily('larder-e2e-rebuild-pip-')
  ;({ lib, app, upstream, clients, work, upstreamEnv } = py)
  const { larderA } = py
  // What a team does: install through Larder, freeze the pins, then hash the files pip downloads for them.
  await pip(['install', '--index-url', indexUrl(larderA), 'e2e-app'])
  frozen = await clients.writeFile('requirements.txt', await pip(['freeze']))
  const downloads = await work.dir('downloads')
  await pip(['download', '--no-deps', '--index-url', indexUrl(larderA), '-d', downloads, '-r', frozen])
  const hashes = new Map<string, string[]>()
  for (const file of await readdir(downloads)) {
    const hash = /--hash=(sha256:[0-9a-f]{64})/.exec(await pip(['hash', join(downloads, file)]))![1]!
    const name = file.split('-')[0]!.replace(/_/g, '-')
    hashes.set(name, [...(hashes.get(name) ?? []), hash])
  }
  // pip-compile --generate-hashes lists every file of a release; the sdist is one pip did not pick.
  hashes.get('e2e-lib')!.push(`sha256:${lib.sdist.sha256}`)
  const pins = (await pip(['freeze'])).trim().split('\n')
  const lines = pins.map((pin) => {
    const name = pin.split('==')[0]!.replace(/_/g, '-')
    return [`${pin} \\`, ...hashes.get(name)!.map((h, i, all) => `    --hash=${h}${i < all.length - 1 ? ' \\' : ''}`), '    # via -r requirements.in'].join(
      '\n',
    )
  })
  hashed = await clients.writeFile('requirements-hashed.txt', `# pip-compile --generate-hashes style\n${lines.join('\n')}\n`)
  prefetched = await work.dir('store-prefetched')
})

afterAll(async () => {
  for (const server of servers) await server.stop()
  await py?.stop()
})

describe('larder prefetch and verify of requirements files pip wrote', () => {
  it('prefetch in this process holds both pins of each file in a fresh store; verify then passes', async () => {
    upstream.files.resetHits()
    const prefetch = await larderCli(['prefetch', frozen, hashed], prefetched, upstreamEnv)
    expect(prefetch.code, describeCli(prefetch)).toBe(0)
    expect(prefetch.stdout).toMatch(/all 4 packages held and verified/)
    // Unhashed pins hold every file of the version (the sdist of e2e-lib too); 1.1 is never fetched.
    expect(upstream.files.hitCount(`/files/${lib.sdist.filename}`)).toBe(1)
    expect(upstream.files.hitCount(`/files/${lib.wheel.filename}`)).toBe(1)

    const verify = await larderCli(['verify', '--json', frozen, hashed], prefetched, { LARDER_PYPI_UPSTREAM: `${NO_UPSTREAM}/simple` })
    expect(verify.code, describeCli(verify)).toBe(0)
    const [unhashed, withHashes] = parseReport(verify).lockfiles
    expect(unhashed!.packages.map((p) => p.files.length).sort()).toEqual([1, 2])
    const libHashed = withHashes!.packages.find((p) => p.name.replace(/_/g, '-') === 'e2e-lib')!
    expect(libHashed.files.map((f) => f.verified)).toEqual([['sha256'], ['sha256']])
  })

  it('prefetch --server through a running Larder holds them in its store', async () => {
    const store = await work.dir('store-server')
    const server = await startLarder({ dataDir: store, env: upstreamEnv })
    servers.push(server)
    const prefetch = await larderCli(['prefetch', '--server', server.url, hashed], await work.dir('unused'))
    expect(prefetch.code, describeCli(prefetch)).toBe(0)
    await server.stop()
    const verify = await larderCli(['verify', hashed], store)
    expect(verify.code, describeCli(verify)).toBe(0)
  })

  it('the real pip installs --require-hashes in a fresh venv from a Larder on the prefetched store with LARDER_OFFLINE=1', async () => {
    const offline = await startOfflineLarder(prefetched, 'LARDER_PYPI_UPSTREAM', { upstreamPath: '/simple' })
    servers.push(offline)
    await clients.freshVenv()
    const install = await clients.pip(['install', '--index-url', indexUrl(offline), '--require-hashes', '-r', hashed])
    expect(install.code, describeRun(install) + offline.output()).toBe(0)
    const version = await clients.python(['-c', 'import e2e_lib; print(e2e_lib.__version__)'])
    expect(version.stdout.trim()).toBe('1.0')
    const download = await clients.pip(['download', '--no-deps', '--index-url', indexUrl(offline), '-d', await work.dir('offline-downloads'), '-r', frozen])
    expect(download.code, describeRun(download)).toBe(0)
    expect((await offline.requests()).every((r) => r.cache === 'OFFLINE' && r.status < 400)).toBe(true)
    await offline.stop()
  })

  it('export bundles what both files need (zstd); pip installs --require-hashes from a running Larder with a dead upstream that imported it', async () => {
    const bundle = join(await work.dir('bundle'), 'bundle.tzst')
    const names = [
      { purl: 'pkg:pypi/e2e-lib@1.0', sha256: [lib.wheel.sha256, lib.sdist.sha256] },
      { purl: 'pkg:pypi/e2e-app@1.0', sha256: [app.sha256] },
    ]
    const into = await work.dir('bundle-extracted')
    const { manifest } = await exportAndCheck([frozen, hashed], prefetched, { out: bundle, into }, names, { zstdFlag: true, zstd: true })

    // B: a fresh store and an upstream nobody listens on (index TTL 0, so it asks it), running before the import.
    const imported = await startDeadUpstreamLarder(await work.dir('store-imported'), 'LARDER_PYPI_UPSTREAM', { upstreamPath: '/simple' })
    servers.push(imported)
    // Until the import B cannot serve e2e-lib's page.
    const asked = await importWhileServing(imported, bundle, manifest, `${indexUrl(imported)}e2e-lib/`)
    upstream.index.resetHits()
    upstream.files.resetHits()
    await clients.freshVenv()
    const install = await clients.pip(['install', '--index-url', indexUrl(imported), '--require-hashes', '-r', hashed])
    expect(install.code, describeRun(install) + imported.output()).toBe(0)
    const version = await clients.python(['-c', 'import e2e_lib; print(e2e_lib.__version__)'])
    expect(version.stdout.trim()).toBe('1.0')
    const downloads = await work.dir('imported-downloads')
    const download = await clients.pip(['download', '--no-deps', '--index-url', indexUrl(imported), '-d', downloads, '-r', frozen])
    expect(download.code, describeRun(download)).toBe(0)
    const downloaded = Object.fromEntries(await Promise.all((await readdir(downloads)).map(async (f) => [f, sha256Hex(await readFile(join(downloads, f)))])))
    expect(downloaded).toEqual({ [lib.wheel.filename]: lib.wheel.sha256, [app.filename]: app.sha256 })
    const answered = (await imported.requests()).slice(asked)
    expect(answered.length).toBeGreaterThan(0)
    expect(
      answered.every((r) => r.status === 200 && (r.cache === 'HIT' || r.cache === 'STALE')),
      JSON.stringify(answered),
    ).toBe(true)
    // Pages past their TTL, the upstream dead: B serves its stored copy.
    expect(
      answered.filter((r) => r.path.startsWith('/pypi/simple/')).every((r) => r.cache === 'STALE'),
      JSON.stringify(answered),
    ).toBe(true)
    const files = answered.filter((r) => r.path.startsWith('/pypi/files/'))
    expect(files.length).toBeGreaterThanOrEqual(4)
    expect(
      files.every((r) => r.cache === 'HIT'),
      JSON.stringify(files),
    ).toBe(true)
    expect(upstream.index.requests.length + upstream.files.requests.length).toBe(0)
    await imported.stop()
  })

  it('refuses unpinned lines with a clear message, and still holds the pinned ones', async () => {
    const loose = await clients.writeFile('requirements-loose.txt', 'e2e-lib>=1.0\ne2e-app==1.0\n')
    const prefetch = await larderCli(['prefetch', loose], await work.dir('store-loose'), upstreamEnv)
    expect(prefetch.code, describeCli(prefetch)).toBe(1)
    expect(prefetch.stdout).toMatch(/pypi e2e-lib \(.*requirements-loose.txt:1\)\n {4}"e2e-lib>=1.0" is not pinned/)
    expect(prefetch.stdout).toMatch(/1 of 2 packages are not held and verified/)
  })

  it('a hash that matches no upstream file fails prefetch, naming the package', async () => {
    const wrong = await clients.writeFile('requirements-wrong.txt', `e2e-lib==1.0 --hash=sha256:${'0'.repeat(64)}\n`)
    const prefetch = await larderCli(['prefetch', wrong], await work.dir('store-wrong'), upstreamEnv)
    expect(prefetch.code, describeCli(prefetch)).toBe(1)
    expect(prefetch.stdout).toMatch(/pypi e2e-lib==1\.0 .*\n {4}no file of e2e-lib 1\.0 on the index has sha256:0{64}/)
  })

  it('verify of pins without hashes still finds a damaged blob: its bytes no longer hash to its address', async () => {
    await writeFile(blobPath(prefetched, lib.sdist.sha256), Buffer.concat([lib.sdist.bytes, Buffer.from('rot')]))
    const verify = await larderCli(['verify', frozen], prefetched)
    expect(verify.code, describeCli(verify)).toBe(1)
    expect(verify.stdout).toMatch(/pypi e2e-lib==1\.0 .*\n {4}\/pypi\/files\/e2e-lib\/.*\.tar\.gz: the stored bytes hash to .*: the store is damaged/)
  })

  it('verify after one blob is deleted from the store fails, naming that package', async () => {
    expect(await verifyWithoutBlob(prefetched, sha256Hex(lib.wheel.bytes), hashed)).toMatch(/not held \(1\):\n {2}pypi e2e-lib==1\.0 /)
  })
})
