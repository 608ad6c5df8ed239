/**
 * Issue #11, finding 1: with LARDER_PROTECT_READS=1 a PUT to npm search or a DELETE to npm audit was
 * forwarded to the upstream without any token check. Now every such request is refused (401 without a
 * token, 405 with one, in either mode) and the upstream never hears of it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startComposerMetadataFixture, startNpmRegistryFixture, type ComposerMetadataFixture, type NpmRegistryFixture } from '@larder/testkit'
import { startLarder, type LarderServer } from '../support/larder-process.js'

const NPM_TOKEN = 'bypass-npm-token'
const COMPOSER_TOKEN = 'bypass-composer-token'
const LARDER_TOKENS = `npm-ci=${NPM_TOKEN}:npm,composer-ci=${COMPOSER_TOKEN}:composer`

/** The requests of the finding, and their neighbours: methods the upstream endpoints do not have. */
const FORBIDDEN_METHODS = [
  { method: 'PUT', path: '/npm/-/v1/search?text=secret-internal', body: 'x', token: NPM_TOKEN },
  { method: 'DELETE', path: '/npm/-/npm/v1/security/advisories/bulk', body: '{"x":["1"]}', token: NPM_TOKEN },
  { method: 'PATCH', path: '/npm/-/v1/search?text=secret-internal', body: 'x', token: NPM_TOKEN },
  { method: 'PUT', path: '/npm/-/npm/v1/security/audits/quick', body: '{}', token: NPM_TOKEN },
  { method: 'GET', path: '/npm/-/npm/v1/security/advisories/bulk', body: undefined, token: NPM_TOKEN },
  { method: 'DELETE', path: '/composer/api/security-advisories/', body: 'packages[]=acme/x', token: COMPOSER_TOKEN },
  { method: 'PUT', path: '/composer/api/security-advisories/', body: 'packages[]=acme/x', token: COMPOSER_TOKEN },
]

let npm: NpmRegistryFixture
let composer: ComposerMetadataFixture
let open: LarderServer
let protectedReads: LarderServer

beforeAll(async () => {
  ;[npm, composer] = await Promise.all([startNpmRegistryFixture(), startComposerMetadataFixture()])
  const env = { LARDER_NPM_UPSTREAM: npm.url, LARDER_COMPOSER_UPSTREAM: composer.url, LARDER_TOKENS }
  ;[open, protectedReads] = await Promise.all([
    startLarder({ env: { ...env, LARDER_PROTECT_READS: '0' } }),
    startLarder({ env: { ...env, LARDER_PROTECT_READS: '1' } }),
  ])
})

afterAll(async () => {
  await Promise.all([open?.stop(), protectedReads?.stop()])
  await Promise.all([npm?.stop(), composer?.stop()])
})

async function send(larder: LarderServer, request: { method: string; path: string; body?: string | undefined }, token?: string) {
  const res = await fetch(`${larder.url}${request.path}`, {
    method: request.method,
    headers: token ? { authorization: `Bearer ${token}` } : {},
    ...(request.body === undefined ? {} : { body: request.body }),
  })
  return { status: res.status, code: ((await res.json()) as { code?: string }).code }
}

const upstreamRequests = () => [...npm.requests, ...composer.requests].map((r) => `${r.method} ${r.path}`)

describe('read protection bypass (issue #11, finding 1)', () => {
  it("refuses the finding's requests with 401 without a token and 405 with one while reads are protected", async () => {
    for (const request of FORBIDDEN_METHODS) {
      expect(await send(protectedReads, request), `${request.method} ${request.path}`).toEqual({ status: 401, code: 'E_UNAUTHORIZED' })
      expect(await send(protectedReads, request, request.token), `${request.method} ${request.path}`).toEqual({ status: 405, code: 'E_METHOD_NOT_ALLOWED' })
    }
    expect(await send(protectedReads, { method: 'GET', path: '/npm/-/v1/search?text=secret-internal' })).toEqual({ status: 401, code: 'E_UNAUTHORIZED' })
    expect(upstreamRequests()).toEqual([])
  })

  it('forwards only the methods the upstream endpoint has, with reads open too', async () => {
    for (const request of FORBIDDEN_METHODS) {
      expect(await send(open, request), `${request.method} ${request.path}`).toEqual({ status: 405, code: 'E_METHOD_NOT_ALLOWED' })
    }
    // RFC 9110: the 405 names the methods the URL has.
    const search = await fetch(`${open.url}/npm/-/v1/search?text=x`, { method: 'PUT', body: 'x' })
    expect([search.status, search.headers.get('allow')]).toEqual([405, 'GET, HEAD'])
    const audit = await fetch(`${open.url}/npm/-/npm/v1/security/advisories/bulk`, { method: 'DELETE' })
    expect([audit.status, audit.headers.get('allow')]).toEqual([405, 'POST'])
    expect(upstreamRequests()).toEqual([])
  })

  it('still forwards search and audit as npm sends them, with a token when reads are protected', async () => {
    const search = await fetch(`${protectedReads.url}/npm/-/v1/search?text=secret-internal`, { headers: { authorization: `Bearer ${NPM_TOKEN}` } })
    expect(search.status).toBe(200)
    const audit = await fetch(`${protectedReads.url}/npm/-/npm/v1/security/advisories/bulk`, {
      method: 'POST',
      headers: { authorization: `Bearer ${NPM_TOKEN}`, 'content-type': 'application/json' },
      body: '{"x":["1"]}',
    })
    expect(audit.status).toBe(200)
    expect(upstreamRequests()).toEqual(['GET /-/v1/search?text=secret-internal', 'POST /-/npm/v1/security/advisories/bulk'])
  })
})
