/** The executor against a fake fetcher: digests, failures named by path, shared documents, the in-flight limit. */
import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { fromWebResponse } from '../fetcher/fetched-response.js'
import type { LarderFetcher } from '../fetcher/larder-fetcher.js'
import type { LockedItem } from '../lockfiles/locked-item.js'
import { runItems } from './run-items.js'

const sha512 = (text: string) => createHash('sha512').update(text).digest('hex')

/** A fetcher over fixed answers that records what was asked and how many requests were in flight at most. */
function fakeFetcher(answers: Record<string, () => Response>) {
  const asked: string[] = []
  let inFlight = 0
  let most = 0
  const fetcher: LarderFetcher = {
    target: 'fake',
    async get(path) {
      asked.push(path)
      most = Math.max(most, ++inFlight)
      // Answered on a later turn, so that requests overlap when the limit lets them.
      await new Promise((resolve) => setImmediate(resolve))
      inFlight--
      const answer = answers[path]
      return fromWebResponse(answer ? answer() : Response.json({ error: `no ${path}`, code: 'E_OFFLINE_MISS' }, { status: 504 }))
    },
    close: async () => {},
  }
  return { fetcher, asked, most: () => most }
}

function npmItem(name: string, expected: Record<string, string>): LockedItem {
  return {
    ecosystem: 'npm',
    source: 'package-lock.json',
    name,
    version: '1.0.0',
    indexes: [{ path: `/npm/${name}` }, { path: '/shared' }],
    artifacts: [{ path: `/npm/${name}/-/${name}-1.0.0.tgz`, expected }],
  }
}

describe('runItems', () => {
  it('holds items whose bytes match, fetches a shared document once, and never has more than the limit in flight', async () => {
    const answers: Record<string, () => Response> = { '/shared': () => new Response('{}') }
    const items: LockedItem[] = []
    for (let i = 0; i < 20; i++) {
      answers[`/npm/p${i}`] = () => new Response('{}')
      answers[`/npm/p${i}/-/p${i}-1.0.0.tgz`] = () => new Response(`bytes ${i}`)
      items.push(npmItem(`p${i}`, { sha512: sha512(`bytes ${i}`) }))
    }
    const { fetcher, asked, most } = fakeFetcher(answers)
    const outcomes = await runItems(items, fetcher, { concurrency: 3 })
    expect(outcomes.every((o) => o.ok)).toBe(true)
    expect(outcomes[0]!.artifacts[0]).toMatchObject({ ok: true, verified: ['sha512'], bytes: 7 })
    expect(asked.filter((p) => p === '/shared')).toHaveLength(1)
    expect(asked).toHaveLength(41)
    expect(most()).toBe(3)
  })

  it('asks for an artifact the lockfile names outright at once, beside its index documents, not after them', async () => {
    let artifactAsked = false
    const fetcher: LarderFetcher = {
      target: 'ordered',
      async get(path) {
        if (path.endsWith('.tgz')) {
          artifactAsked = true
          return fromWebResponse(new Response('early bytes'))
        }
        // Asked for in turn (documents first), the tarball would come too late: the documents refuse then.
        if (!artifactAsked) return fromWebResponse(Response.json({ error: 'asked before the tarball', code: 'E_ORDER' }, { status: 409 }))
        return fromWebResponse(new Response('{}'))
      },
      close: async () => {},
    }
    const [outcome] = await runItems([npmItem('early', { sha512: sha512('early bytes') })], fetcher)
    expect(outcome).toMatchObject({ ok: true, artifacts: [{ ok: true, verified: ['sha512'] }] })
  })

  it('fails an item whose bytes differ from the lockfile, one that is missing, and one with a problem; names each path', async () => {
    const { fetcher } = fakeFetcher({
      '/shared': () => new Response('{}'),
      '/npm/bad': () => new Response('{}'),
      '/npm/bad/-/bad-1.0.0.tgz': () => new Response('other bytes'),
      '/npm/gone': () => new Response('{}'),
    })
    const unpinned: LockedItem = { ...npmItem('loose', {}), problem: 'not pinned' }
    const [bad, gone, loose] = await runItems([npmItem('bad', { sha512: sha512('right bytes') }), npmItem('gone', {}), unpinned], fetcher)
    expect(bad!.ok).toBe(false)
    expect(bad!.errors).toEqual([
      expect.stringMatching(/^\/npm\/bad\/-\/bad-1.0.0.tgz: the bytes do not match the lockfile: got sha512:\w{16}…, the lockfile says sha512:\w{16}…$/),
    ])
    expect(gone!.errors).toEqual(['/npm/gone/-/gone-1.0.0.tgz: 504 E_OFFLINE_MISS: no /npm/gone/-/gone-1.0.0.tgz'])
    expect(loose!.errors).toEqual(['not pinned'])
  })

  it('fails an artifact whose body is cut off (how Larder refuses bytes after the headers went out)', async () => {
    const cut = () => {
      let pulls = 0
      return new Response(
        new ReadableStream({
          pull(controller) {
            if (pulls++ === 0) controller.enqueue(new TextEncoder().encode('part'))
            else controller.error(new Error('terminated'))
          },
        }),
      )
    }
    const { fetcher } = fakeFetcher({ '/shared': () => new Response('{}'), '/npm/cut': () => new Response('{}'), '/npm/cut/-/cut-1.0.0.tgz': cut })
    const [outcome] = await runItems([npmItem('cut', {})], fetcher)
    expect(outcome!.errors).toEqual(['/npm/cut/-/cut-1.0.0.tgz: download failed after 4 bytes: terminated'])
  })

  it('fails a stored file whose bytes no longer hash to its address, even with no digest in the lockfile', async () => {
    const address = createHash('sha256').update('original').digest('hex')
    const { fetcher } = fakeFetcher({
      '/shared': () => new Response('{}'),
      '/npm/rot': () => new Response('{}'),
      '/npm/rot/-/rot-1.0.0.tgz': () => new Response('bit rot', { headers: { etag: `"${address}"` } }),
    })
    const [outcome] = await runItems([npmItem('rot', {})], fetcher)
    expect(outcome!.errors).toEqual([expect.stringMatching(/not to their address [0-9a-f]{16}…: the store is damaged$/)])
  })

  it('with deferStoredBytes, holds a stored file unread and leaves its digests to the caller; one with no stored address is still checked', async () => {
    const address = createHash('sha256').update('stored bytes').digest('hex')
    let cancelled = false
    const stored = () =>
      new Response(
        new ReadableStream({
          pull: (controller) => controller.enqueue(new TextEncoder().encode('stored bytes')),
          cancel: () => {
            cancelled = true
          },
        }),
        { headers: { etag: `"${address}"` } },
      )
    const { fetcher } = fakeFetcher({
      '/shared': () => new Response('{}'),
      '/npm/kept': () => new Response('{}'),
      '/npm/kept/-/kept-1.0.0.tgz': stored,
      '/npm/bad': () => new Response('{}'),
      '/npm/bad/-/bad-1.0.0.tgz': () => new Response('other bytes'),
    })
    const expected = { sha512: sha512('stored bytes') }
    const [kept, bad] = await runItems([npmItem('kept', expected), npmItem('bad', expected)], fetcher, { deferStoredBytes: true })
    expect(kept).toMatchObject({ ok: true, artifacts: [{ ok: true, bytes: 0, sha256: address, verified: [], unchecked: [expected] }] })
    expect(cancelled).toBe(true)
    expect(bad!.errors).toEqual([expect.stringMatching(/bad-1.0.0.tgz: the bytes do not match the lockfile/)])
  })

  it('resolves artifacts from the documents an item reads, and accepts any one of several digest sets', async () => {
    const page = JSON.stringify({ file: '/f/x.whl' })
    const item: LockedItem = {
      ecosystem: 'pypi',
      source: 'r.txt:1',
      name: 'x',
      version: '1',
      indexes: [{ path: '/page', accept: 'application/json' }],
      artifacts: [],
      resolve: (docs) => [
        { path: JSON.parse(docs.get('/page (application/json)')!).file, expected: {}, anyOf: [{ sha512: sha512('no') }, { sha512: sha512('x') }] },
      ],
    }
    const { fetcher } = fakeFetcher({ '/page': () => new Response(page), '/f/x.whl': () => new Response('x') })
    const [outcome] = await runItems([item], fetcher)
    expect(outcome).toMatchObject({ ok: true, artifacts: [{ path: '/f/x.whl', ok: true }] })
  })
})
