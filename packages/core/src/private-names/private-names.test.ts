import { describe, expect, it } from 'vitest'
import { LarderError } from '../errors/index.js'
import { PrivateNameList } from './private-name-list.js'
import { assertNotOnUpstream } from './upstream-name-check.js'

const syntax = {
  setting: 'LARDER_TEST_PRIVATE_NAMES',
  expected: 'a name like acme',
  canonical: (item: string) => (/^[a-z0-9-]+\/?$/i.test(item) ? item.toLowerCase() : undefined),
}

describe('PrivateNameList', () => {
  it('matches exact names and prefixes, in canonical form, ignoring blanks', () => {
    const list = PrivateNameList.parse(' Acme , internal-*,,', syntax)
    expect(list.setting).toBe('LARDER_TEST_PRIVATE_NAMES')
    expect(list.has('acme')).toBe(true)
    expect(list.has('acme2')).toBe(false)
    expect(list.has('internal-x')).toBe(true)
    expect(list.has('internal')).toBe(false)
    expect(PrivateNameList.parse(undefined, syntax).has('acme')).toBe(false)
  })

  it('refuses an item the syntax does not accept, a bare *, or a * inside, naming the setting', () => {
    for (const bad of ['no way', '*', 'a*b*', 'a*b']) {
      expect(() => PrivateNameList.parse(bad, syntax)).toThrow(/^LARDER_TEST_PRIVATE_NAMES: ".*" is not a name like acme$/)
    }
  })
})

describe('assertNotOnUpstream', () => {
  const base = { name: 'left-pad', upstream: 'https://registry.example/sub/path', setting: 'LARDER_TEST_PRIVATE_NAMES', offline: false }
  const notFound = () => Promise.reject(new LarderError('E_NOT_FOUND', 'not there'))

  it('passes when the upstream says it has no such name', async () => {
    await expect(assertNotOnUpstream({ ...base, lookup: notFound })).resolves.toBeUndefined()
  })

  it('refuses a name the upstream (or its cached copy) has with 409 naming the setting', async () => {
    const error = await assertNotOnUpstream({ ...base, lookup: async () => ({}) }).catch((e: LarderError) => e)
    expect(error).toMatchObject({ code: 'E_CONFLICT', status: 409 })
    expect((error as LarderError).message).toBe(
      'left-pad exists on the upstream registry https://registry.example; publishing it here would shadow it for every client. List it in LARDER_TEST_PRIVATE_NAMES to publish it anyway',
    )
  })

  it('fails closed with 503 when the upstream cannot be asked, and offline even on a remembered 404', async () => {
    for (const [lookup, offline] of [
      [() => Promise.reject(new LarderError('E_UPSTREAM_UNREACHABLE', 'refused')), false],
      [() => Promise.reject(new LarderError('E_OFFLINE_MISS', 'not cached')), true],
      [notFound, true],
    ] as const) {
      const error = await assertNotOnUpstream({ ...base, offline, lookup }).catch((e: LarderError) => e)
      expect(error).toMatchObject({ code: 'E_NAME_CHECK_UNAVAILABLE', status: 503 })
      expect((error as LarderError).hint).toContain('LARDER_TEST_PRIVATE_NAMES')
    }
  })

  it('lets other errors (e.g. the store) through as they are', async () => {
    const store = new LarderError('E_STORE', 'disk gone')
    await expect(assertNotOnUpstream({ ...base, lookup: () => Promise.reject(store) })).rejects.toBe(store)
  })
})
