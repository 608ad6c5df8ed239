/**
 * The rebuild guarantee for APT: the real apt-get downloads through Larder A from a signed fixture archive; the
 * list of what it got (dpkg-deb --show, in the format dpkg-query -W prints) is prefetched into a fresh store,
 * verify passes, and the real apt-get update and install --download-only work from a Larder on that store with
 * LARDER_OFFLINE=1 (and from another store the bundle was imported into), with the same .deb bytes.
 */
import { createHash } from 'node:crypto'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  aptKeyringsEnv,
  buildDeb,
  createAptSandbox,
  describeAptRun,
  run,
  startAptUpstreamFixture,
  type AptSandbox,
  type AptUpstreamFixture,
  type BuiltDeb,
} from '@larder/testkit'
import { startAptLarder, type AptLarder } from '../apt/apt-larder.js'
import { makeWorkDir, type WorkDir } from '../support/work-dir.js'
import { exportedSbom } from './bundle-steps.js'
import { describeCli, larderCli, NO_UPSTREAM, parseReport } from './larder-cli.js'
import { expectAllAnswered } from './store-larders.js'

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex')

let debs: BuiltDeb[]
let fixture: AptUpstreamFixture
let work: WorkDir
let list: string
let prefetched: string
const servers: AptLarder[] = []
const sandboxes: AptSandbox[] = []

const aptEnv = (upstream = fixture.url) => ({ LARDER_APT_UPSTREAMS: `fixture=${upstream}`, ...aptKeyringsEnv({ fixture: fixture.key }) })

async function sandbox(larder: AptLarder): Promise<AptSandbox> {
  const created = await createAptSandbox([{ url: `${larder.apt}/fixture`, suite: 'stable', signedBy: fixture.key.keyringPath }])
  sandboxes.push(created)
  return created
}

/** apt-get update, then install --download-only of the top packages: exit 0, no warning, these .debs with the fixture's bytes. */
async function expectInstall(larder: AptLarder): Promise<void> {
  const apt = await sandbox(larder)
  const update = await apt.update()
  expect(update.code, `${describeAptRun(update)}\n${larder.output()}`).toBe(0)
  expect(`${update.stdout}${update.stderr}`).not.toMatch(/Hash Sum mismatch|NO_PUBKEY|not signed|W: |E: /)
  const install = await apt.downloadWithDependencies(['e2e-top', 'e2e-tool'])
  expect(install.code, `${describeAptRun(install)}\n${larder.output()}`).toBe(0)
  expect(await apt.downloaded()).toEqual(debs.map((d) => d.filename).sort())
  for (const deb of debs) expect(sha256(await readFile(join(apt.root, 'archives', deb.filename))), deb.filename).toBe(deb.sha256)
}

beforeAll(async () => {
  const base = await buildDeb({ name: 'e2e-base', version: '1.0' })
  const top = await buildDeb({ name: 'e2e-top', version: '1.0', depends: 'e2e-base (>= 1.0)' })
  const tool = await buildDeb({ name: 'e2e-tool', version: '2.1-1', architecture: 'amd64' })
  debs = [base, top, tool]
  fixture = await startAptUpstreamFixture({ debs })
  work = await makeWorkDir('larder-e2e-rebuild-apt-')
  prefetched = await work.dir('store-prefetched')
}, 300_000)

afterAll(async () => {
  for (const server of servers) await server.stop()
  await Promise.all(sandboxes.map((s) => s.cleanup()))
  await fixture?.stop()
  await work?.cleanup()
})

describe('larder prefetch and verify of an APT list', () => {
  it('apt-get downloads through Larder A; the list of what it got holds everything in a fresh store; verify passes offline', async () => {
    const larderA = await startAptLarder(await work.dir('store-a'), aptEnv())
    servers.push(larderA)
    const apt = await sandbox(larderA)
    expect((await apt.update()).code).toBe(0)
    const install = await apt.downloadWithDependencies(['e2e-top', 'e2e-tool'])
    expect(install.code, describeAptRun(install)).toBe(0)
    // What dpkg-query -W -f='${Package}=${Version}:${Architecture}\n' prints once they are installed.
    const lines: string[] = []
    for (const name of await apt.downloaded()) {
      // biome-ignore lint/suspicious/noTemplateCurlyInString: dpkg's ${Field} syntax, not a template.
      const shown = await run('dpkg-deb', ['--show', '--showformat=${Package}=${Version}:${Architecture}\\n', join(apt.root, 'archives', name)])
      expect(shown.code, shown.stderr).toBe(0)
      lines.push(shown.stdout.trim())
    }
    expect(lines).toEqual(['e2e-base=1.0:all', 'e2e-tool=2.1-1:amd64', 'e2e-top=1.0:all'])
    list = join(await work.dir('machine'), 'web.apt-list')
    await writeFile(list, ['# larder-apt: archive=fixture suite=stable components=main', ...lines, ''].join('\n'))

    fixture.resetHits()
    const prefetch = await larderCli(['prefetch', list], prefetched, aptEnv())
    expect(prefetch.code, describeCli(prefetch)).toBe(0)
    expect(prefetch.stdout).toMatch(/all 3 packages held and verified/)
    for (const deb of debs) expect(fixture.hitCount(`/${fixture.archive.poolPath(deb)}`), deb.filename).toBe(1)

    const verify = await larderCli(['verify', '--json', list], prefetched, aptEnv(NO_UPSTREAM))
    expect(verify.code, describeCli(verify)).toBe(0)
    const report = parseReport(verify)
    // InRelease, and Packages.xz (what apt takes) and Packages.gz (what larder reads) of main/binary-amd64.
    expect(report.totals).toMatchObject({ packages: 3, held: 3, failed: 0, files: 3, documents: 3 })
    for (const pkg of report.lockfiles[0]!.packages) expect(pkg.files[0]).toMatchObject({ cache: 'OFFLINE', verified: ['sha256'] })
    await larderA.stop()
  })

  it('the real apt-get update and install from a Larder with LARDER_OFFLINE=1 on that store get the same .deb bytes', async () => {
    const offline = await startAptLarder(prefetched, { ...aptEnv(NO_UPSTREAM), LARDER_OFFLINE: '1' })
    servers.push(offline)
    fixture.resetHits()
    await expectInstall(offline)
    expect(fixture.totalHits()).toBe(0)
    const requests = (await offline.requests()).filter((r) => r.path.startsWith('/apt/'))
    expect(requests.length).toBeGreaterThan(3)
    expectAllAnswered(requests, 'OFFLINE')
    await offline.stop()
  })

  it('export carries the list (each package by its purl) to another store (import) that apt-get installs from offline', async () => {
    const bundle = join(await work.dir('bundle'), 'apt.tar.zst')
    const sbom = await exportedSbom(list, prefetched, { out: bundle, into: await work.dir('bundle-unpacked') }, aptEnv(NO_UPSTREAM), true)
    expect(sbom.components.map((c) => [c.purl, c.hashes.map((h) => h.content)])).toEqual([
      ['pkg:deb/fixture/e2e-base@1.0?arch=all&distro=stable', [debs[0]!.sha256]],
      ['pkg:deb/fixture/e2e-tool@2.1-1?arch=amd64&distro=stable', [debs[2]!.sha256]],
      ['pkg:deb/fixture/e2e-top@1.0?arch=all&distro=stable', [debs[1]!.sha256]],
    ])
    const imported = await work.dir('store-imported')
    const done = await larderCli(['import', bundle], imported)
    expect(done.code, describeCli(done)).toBe(0)
    const offline = await startAptLarder(imported, { ...aptEnv(NO_UPSTREAM), LARDER_OFFLINE: '1' })
    servers.push(offline)
    await expectInstall(offline)
    await offline.stop()
  })

  it('a version the archive does not have fails prefetch, naming the line and the versions it has', async () => {
    const wrong = join(await work.dir('wrong'), 'wrong.apt-list')
    await writeFile(wrong, '# larder-apt: archive=fixture suite=stable\ne2e-base=9.9:all\ne2e-tool=2.1-1:amd64\n')
    const prefetch = await larderCli(['prefetch', wrong], await work.dir('store-wrong'), aptEnv())
    expect(prefetch.code, describeCli(prefetch)).toBe(1)
    expect(prefetch.stdout).toMatch(
      /not held \(1\):\n {2}apt e2e-base@9\.9 \(.*wrong\.apt-list:2\)\n {4}e2e-base=9\.9:all is not in fixture stable \(main\): it has 1\.0:all\n/,
    )
    expect(prefetch.stdout).toMatch(/1 of 2 packages are not held and verified/)
  })
})
