/**
 * The status page in a real headless Chromium after real npm and pip installs through Larder: both mirrors
 * with hits, search, a name's sha256, and a real npm publish under "Recent publishes".
 */
import { createHash } from 'node:crypto'
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { chromium, type Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  buildPythonDists,
  makeTempDir,
  packNpmPackage,
  startNpmRegistryFixture,
  startPypiIndexFixture,
  type NpmRegistryFixture,
  type PackedPackage,
  type PypiIndexFixture,
  type PythonDist,
  type TempDir,
} from '@larder/testkit'
import { createPythonClients, describeRun as describePython, type PythonClients } from '../pypi/python-clients.js'
import { createClientSandbox, describeRun, removeNodeModules, type ClientSandbox } from '../support/clients.js'
import { REPO_ROOT, startLarder, type LarderServer } from '../support/larder-process.js'
import { EXPECTED_GRAPH, installedGraph, packNpmGraph, writeProject, type NpmGraph } from '../support/npm-graph.js'

const CHROMIUM = '/usr/bin/chromium'
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update']
const ARTIFACTS = join(REPO_ROOT, 'test/.artifacts')
/** The token (name and secret) the publish is made with: the page names who published. */
const PUBLISHER = 'e2e-publisher'
const PUBLISH_TOKEN = 'e2e-status-publish-token-1'
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex')

let graph: NpmGraph
/** A name on no upstream, published to Larder itself. */
let published: PackedPackage
let npmUpstream: NpmRegistryFixture
let lib: { wheel: PythonDist; sdist: PythonDist }
let pypiUpstream: PypiIndexFixture
let larder: LarderServer
let npmClients: ClientSandbox
let pythonClients: PythonClients
let work: TempDir
let browser: Browser

beforeAll(async () => {
  graph = await packNpmGraph()
  published = await packNpmPackage({ name: 'e2e-status-published', version: '2.3.4' })
  npmUpstream = await startNpmRegistryFixture({ packages: graph.all })
  lib = await buildPythonDists({ name: 'e2e-lib', version: '1.0' })
  pypiUpstream = await startPypiIndexFixture({ format: 'json', dists: [lib.wheel, lib.sdist] })
  larder = await startLarder({
    env: { LARDER_NPM_UPSTREAM: npmUpstream.url, LARDER_PYPI_UPSTREAM: pypiUpstream.simpleUrl, LARDER_TOKENS: `${PUBLISHER}=${PUBLISH_TOKEN}:npm` },
  })
  npmClients = await createClientSandbox({ registry: larder.npmRegistry, npmrc: [`//127.0.0.1:${larder.port}/npm/:_authToken=${PUBLISH_TOKEN}`] })
  pythonClients = await createPythonClients()
  work = await makeTempDir('larder-e2e-status-')
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS })
})

afterAll(async () => {
  await browser?.close()
  await larder?.stop()
  await npmClients?.cleanup()
  await pythonClients?.cleanup()
  await work?.cleanup()
  await npmUpstream?.stop()
  await pypiUpstream?.stop()
})

describe('the status page', () => {
  it('is filled by real installs: npm twice, pip twice, each second time from the store', async () => {
    const project = await writeProject(join(work.path, 'npm-app'))
    for (let round = 0; round < 2; round++) {
      const result = await npmClients.npm(['install'], { cwd: project })
      expect(result.code, describeRun(result) + larder.output()).toBe(0)
      expect(await installedGraph(project)).toEqual(EXPECTED_GRAPH)
      await removeNodeModules(project)
      await npmClients.freshCaches()
    }
    for (let round = 0; round < 2; round++) {
      const result = await pythonClients.pip(['install', '--index-url', `${larder.url}/pypi/simple/`, 'e2e-lib'])
      expect(result.code, describePython(result) + larder.output()).toBe(0)
      await pythonClients.freshVenv()
    }
    const hits = async (prefix: string) => (await larder.requests()).filter((r) => r.path.startsWith(prefix) && r.cache === 'HIT').length
    expect(await hits('/npm/')).toBeGreaterThan(0)
    expect(await hits('/pypi/')).toBeGreaterThan(0)
  })

  it('shows both mirrors with hits in Chromium, and its search finds the npm package and its sha256', async () => {
    const page = await browser.newPage({ viewport: { width: 1000, height: 900 } })
    const root = await page.goto(`${larder.url}/`)
    expect(root?.status()).toBe(200)
    expect(root?.headers()['content-type']).toMatch(/^text\/html/)
    for (const mirror of ['npm', 'pypi']) {
      const card = page.locator(`[data-mirror="${mirror}"]`)
      expect(await card.count()).toBe(1)
      expect(Number(await card.locator('[data-figure="hits-hour"]').textContent())).toBeGreaterThan(0)
      expect(Number(await card.locator('[data-figure="requests-day"]').textContent())).toBeGreaterThan(0)
      expect(await card.locator('svg.chart rect').count()).toBeGreaterThan(0)
    }
    await mkdir(ARTIFACTS, { recursive: true })
    await page.screenshot({ path: join(ARTIFACTS, 'status-page.png'), fullPage: true })

    await page.fill('input[name="q"]', 'e2e-left')
    await Promise.all([page.waitForURL(/\/-\/status\/search\?q=e2e-left/), page.click('form.search button')])
    const result = page.locator('[data-result="npm:e2e-left"] a')
    expect(await result.count()).toBe(1)
    await Promise.all([page.waitForURL(/\/-\/status\/name\?/), result.click()])
    expect(await page.locator(`[data-key="npm:tarball:e2e-left/${graph.left.filename}"] [data-sha256="${sha256(graph.left.tarball)}"]`).count()).toBe(1)
    await page.screenshot({ path: join(ARTIFACTS, 'status-page-name.png'), fullPage: true })

    // A phone: one column, nothing wider than the screen.
    await page.setViewportSize({ width: 390, height: 844 })
    await page.goto(`${larder.url}/`)
    const overflow = Number(await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth'))
    expect(overflow).toBeLessThanOrEqual(0)
    await page.screenshot({ path: join(ARTIFACTS, 'status-page-phone.png'), fullPage: true })
    await page.close()
  })

  it('lists a real npm publish under Recent publishes: what, name, version, token and time, the name linking to its page', async () => {
    const page = await browser.newPage({ viewport: { width: 1000, height: 900 } })
    // The panel is the element after its heading: a table once there are events, a note before.
    const panel = page.locator('h2:text-is("Recent publishes") + *')
    await page.goto(`${larder.url}/`)
    expect(await panel.textContent()).toBe('Nothing published, uploaded or changed yet.')

    const before = Date.now()
    const tarball = join(work.path, published.filename)
    await writeFile(tarball, published.tarball)
    const result = await npmClients.npm(['publish', tarball], { cwd: work.path })
    expect(result.code, describeRun(result) + larder.output()).toBe(0)
    const after = Date.now()

    const shown = await page.goto(`${larder.url}/`)
    expect(shown?.status()).toBe(200)
    const rows = panel.locator('tbody tr')
    expect(await rows.count(), await page.content()).toBe(1)
    const cells = rows.first().locator('td')
    expect((await cells.allTextContents()).slice(1)).toEqual(['npm publish', 'e2e-status-published', '2.3.4', PUBLISHER])
    const when = cells.first()
    expect(await when.textContent()).toMatch(/^\d+ s ago$/)
    const at = Date.parse((await when.getAttribute('title')) ?? '')
    expect(at).toBeGreaterThanOrEqual(before - 1000)
    expect(at).toBeLessThanOrEqual(after + 1000)
    await mkdir(ARTIFACTS, { recursive: true })
    await page.screenshot({ path: join(ARTIFACTS, 'status-page-publishes.png'), fullPage: true })

    // The name links to its page, which holds the tarball npm sent.
    await Promise.all([page.waitForURL(/\/-\/status\/name\?ecosystem=npm&name=e2e-status-published$/), rows.first().locator('a').click()])
    expect(await page.locator(`[data-key^="npm-private:tarball:e2e-status-published/"] [data-sha256="${sha256(published.tarball)}"]`).count()).toBe(1)
    await page.close()
  })

  it('still answers scripts with the JSON document', async () => {
    const res = await fetch(`${larder.url}/`)
    expect(res.headers.get('content-type')).toMatch(/^application\/json/)
    expect(((await res.json()) as { mirrors: Record<string, unknown> }).mirrors).toHaveProperty('npm')
  })
})
