/** The status page in a real headless Chromium after real npm and pip installs through Larder: both mirrors with hits, search, a name's sha256. */
import { createHash } from 'node:crypto'
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { chromium, type Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  buildPythonDists,
  makeTempDir,
  startNpmRegistryFixture,
  startPypiIndexFixture,
  type NpmRegistryFixture,
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

let graph: NpmGraph
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
  npmUpstream = await startNpmRegistryFixture({ packages: graph.all })
  lib = await buildPythonDists({ name: 'e2e-lib', version: '1.0' })
  pypiUpstream = await startPypiIndexFixture({ format: 'json', dists: [lib.wheel, lib.sdist] })
  larder = await startLarder({ env: { LARDER_NPM_UPSTREAM: npmUpstream.url, LARDER_PYPI_UPSTREAM: pypiUpstream.simpleUrl } })
  npmClients = await createClientSandbox({ registry: larder.npmRegistry })
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
    const hits = (prefix: string) => larder.requests().filter((r) => r.path.startsWith(prefix) && r.cache === 'HIT').length
    expect(hits('/npm/')).toBeGreaterThan(0)
    expect(hits('/pypi/')).toBeGreaterThan(0)
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
    const sha256 = createHash('sha256').update(graph.left.tarball).digest('hex')
    expect(await page.locator(`[data-key="npm:tarball:e2e-left/${graph.left.filename}"] [data-sha256="${sha256}"]`).count()).toBe(1)
    await page.screenshot({ path: join(ARTIFACTS, 'status-page-name.png'), fullPage: true })

    // A phone: one column, nothing wider than the screen.
    await page.setViewportSize({ width: 390, height: 844 })
    await page.goto(`${larder.url}/`)
    const overflow = Number(await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth'))
    expect(overflow).toBeLessThanOrEqual(0)
    await page.screenshot({ path: join(ARTIFACTS, 'status-page-phone.png'), fullPage: true })
    await page.close()
  })

  it('still answers scripts with the JSON document', async () => {
    const res = await fetch(`${larder.url}/`)
    expect(res.headers.get('content-type')).toMatch(/^application\/json/)
    expect(((await res.json()) as { mirrors: Record<string, unknown> }).mirrors).toHaveProperty('npm')
  })
})
