import { describe, expect, it } from 'vitest'
import { readRoute, runRoute, writeAction, type RouteMethods } from './route-methods.js'
import { createTokenStore, parseTokenList } from './token-store.js'

const tokens = createTokenStore(parseTokenList('ci=secret-ci-token:npm'))
const ran: string[] = []
const routes: RouteMethods = {
  ...readRoute(() => {
    ran.push('read')
    return new Response('read')
  }),
  PUT: writeAction(() => {
    ran.push('write')
    return new Response('written')
  }),
}
const run = (method: string, authorization?: string) => runRoute(routes, { method, authorization }, tokens, 'npm', 'the test URL')

describe('runRoute', () => {
  it('runs a read without a token while reads are open, and a write only for a publisher', async () => {
    ran.length = 0
    expect(await (await run('HEAD')).text()).toBe('read')
    await expect(run('PUT')).rejects.toMatchObject({ code: 'E_UNAUTHORIZED' })
    expect(await (await run('PUT', 'Bearer secret-ci-token')).text()).toBe('written')
    expect(ran).toEqual(['read', 'write'])
  })

  it('answers a method the route does not list with 405 naming the ones it does, running nothing', async () => {
    ran.length = 0
    for (const method of ['POST', 'DELETE', 'PATCH', 'OPTIONS', 'constructor', 'toString']) {
      await expect(run(method, 'Bearer secret-ci-token')).rejects.toMatchObject({
        code: 'E_METHOD_NOT_ALLOWED',
        hint: 'this URL answers GET, HEAD, PUT',
        headers: { allow: 'GET, HEAD, PUT' },
      })
    }
    expect(ran).toEqual([])
  })
})
