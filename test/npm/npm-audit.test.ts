/** `npm audit` through Larder: forwarded to the upstream's audit endpoints, and a clear failure while the upstream is down. */
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { makeTempDir, startNpmRegistryFixture, type NpmRegistryFixture, type TempDir } from '@larder/testkit'
import { createClientSandbox, describeRun, type ClientSandbox } from '../support/clients.js'
import { startLarder, type LarderServer } from '../support/larder-process.js'
import { packNpmGraph, writeProject } from '../support/npm-graph.js'

const AUDIT_PATHS = ['/-/npm/v1/security/advisories/bulk', '/-/npm/v1/security/audits/quick']

let fixture: NpmRegistryFixture
let larder: LarderServer
let clients: ClientSandbox
let work: TempDir
let project: string

beforeAll(async () => {
  const graph = await packNpmGraph()
  fixture = await startNpmRegistryFixture({ packages: graph.all })
  larder = await startLarder({ env: { LARDER_NPM_UPSTREAM: fixture.url } })
  clients = await createClientSandbox({ registry: larder.npmRegistry })
  work = await makeTempDir('larder-e2e-audit-')
  project = await writeProject(join(work.path, 'app'))
  const install = await clients.npm(['install'], { cwd: project })
  expect(install.code, describeRun(install)).toBe(0)
})

afterAll(async () => {
  await larder?.stop()
  await fixture?.stop()
  await clients?.cleanup()
  await work?.cleanup()
})

const auditRequests = () => fixture.requests.filter((r) => AUDIT_PATHS.includes(r.path))

describe('npm audit through Larder', () => {
  it('reports no vulnerabilities when the upstream answers the audit endpoint', async () => {
    fixture.resetHits()
    const result = await clients.npm(['audit'], { cwd: project })
    expect(result.code, describeRun(result)).toBe(0)
    expect(result.stdout).toContain('found 0 vulnerabilities')
    expect(auditRequests().length).toBeGreaterThan(0)
    expect(auditRequests().every((r) => r.method === 'POST')).toBe(true)
    const forwarded = (await larder.requests()).filter((r) => r.path.startsWith('/npm/-/npm/v1/security/'))
    expect(forwarded.map((r) => `${r.status} ${r.cache}`)).toContain('200 PASS')
  })

  it('fails with a message naming the upstream when the upstream is down', async () => {
    await fixture.setFault('refuse')
    try {
      const result = await clients.npm(['audit'], { cwd: project })
      expect(result.code, describeRun(result)).not.toBe(0)
      expect(`${result.stdout}\n${result.stderr}`).toMatch(/upstream/i)
    } finally {
      await fixture.setFault(null)
    }
    const answered = (await larder.requests()).filter((r) => r.path.startsWith('/npm/-/npm/v1/security/'))
    expect(answered.at(-1)?.status).toBeGreaterThanOrEqual(500)
  })
})
