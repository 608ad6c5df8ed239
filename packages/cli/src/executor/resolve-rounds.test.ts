/** The executor's later rounds: documents a resolve asks for once it has read others, compressed ones unpacked, and the ways it fails. */
import { createHash } from 'node:crypto'
import { gzipSync, zstdCompressSync } from 'node:zlib'
import { compressSync as xzCompressSync } from '@napi-rs/lzma/xz'
import { describe, expect, it } from 'vitest'
import { fromWebResponse } from '../fetcher/fetched-response.js'
import type { LarderFetcher } from '../fetcher/larder-fetcher.js'
import type { LockedItem } from '../lockfiles/locked-item.js'
import { documentBodies, MAX_RESOLVE_ROUNDS, NeedDocuments } from './more-documents.js'
import { runItems } from './run-items.js'

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex')

function fetcherOf(answers: Record<string, () => Response>) {
  const asked: string[] = []
  const fetcher: LarderFetcher = {
    target: 'fake',
    async get(path) {
      asked.push(path)
      const answer = answers[path]
      return fromWebResponse(answer ? answer() : Response.json({ error: `no ${path}`, code: 'E_OFFLINE_MISS' }, { status: 504 }))
    },
    close: async () => {},
  }
  return { fetcher, asked }
}

/** An item that follows `next` links from /top until a document names a file. */
function chainItem(name: string): LockedItem {
  return {
    ecosystem: 'oci',
    source: 'images.txt:1',
    name,
    version: '1',
    indexes: [{ path: '/top' }],
    artifacts: [],
    resolve: (documents) => {
      let [body] = documentBodies(documents, [{ path: '/top' }])
      for (;;) {
        const doc = JSON.parse(body!) as { next?: string; file?: string }
        if (doc.file) return [{ path: doc.file, expected: { sha256: sha256('file') } }]
        ;[body] = documentBodies(documents, [{ path: doc.next! }])
      }
    },
  }
}

describe('resolve in rounds', () => {
  it('fetches what a resolve asks for, round after round, once for all items, and reports those documents too', async () => {
    const { fetcher, asked } = fetcherOf({
      '/top': () => Response.json({ next: '/middle' }),
      '/middle': () => Response.json({ next: '/bottom' }),
      '/bottom': () => Response.json({ file: '/file' }),
      '/file': () => new Response('file'),
    })
    const outcomes = await runItems([chainItem('a'), chainItem('b')], fetcher)
    expect(outcomes.map((o) => o.errors)).toEqual([[], []])
    expect(outcomes[0]!.indexes.map((d) => d.path)).toEqual(['/top', '/middle', '/bottom'])
    expect(outcomes[0]!.indexes.every((d) => !('body' in d))).toBe(true)
    expect(asked.filter((p) => p !== '/file').sort()).toEqual(['/bottom', '/middle', '/top'])
  })

  it('hands gzip, zstd and xz documents over unpacked, by their bytes whatever the path says', async () => {
    const { fetcher } = fetcherOf({
      '/top': () => new Response(gzipSync(JSON.stringify({ next: '/by-hash/abc' }))),
      '/by-hash/abc': () => new Response(zstdCompressSync(JSON.stringify({ next: '/Packages.xz' }))),
      '/Packages.xz': () => new Response(xzCompressSync(Buffer.from(JSON.stringify({ file: '/file' })))),
      '/file': () => new Response('file'),
    })
    const [outcome] = await runItems([chainItem('a')], fetcher)
    expect(outcome).toMatchObject({ ok: true, errors: [] })
  })

  it('fails the item naming a later document that is not there, and fetches no artifact', async () => {
    const { fetcher, asked } = fetcherOf({ '/top': () => Response.json({ next: '/gone' }) })
    const [outcome] = await runItems([chainItem('a')], fetcher)
    expect(outcome!.errors).toEqual(['/gone: 504 E_OFFLINE_MISS: no /gone'])
    expect(asked).toEqual(['/top', '/gone'])
  })

  it('reads an OCI error as distribution writes it', async () => {
    const body = { errors: [{ code: 'MANIFEST_UNKNOWN', message: 'manifest unknown to fixture', detail: { larder: 'E_NOT_FOUND' } }] }
    const { fetcher } = fetcherOf({
      '/top': () => Response.json({ next: '/v2/x/manifests/sha256:00' }),
      '/v2/x/manifests/sha256:00': () => Response.json(body, { status: 404 }),
    })
    const [outcome] = await runItems([chainItem('a')], fetcher)
    expect(outcome!.errors).toEqual(['/v2/x/manifests/sha256:00: 404 MANIFEST_UNKNOWN: manifest unknown to fixture'])
  })

  it('stops a resolve that keeps asking, and one that asks again for what it was given', async () => {
    let n = 0
    const endless: LockedItem = { ...chainItem('endless'), resolve: () => documentBodies(new Map(), [{ path: `/doc${n++}` }]) && [] }
    const again: LockedItem = {
      ...chainItem('again'),
      resolve: () => {
        throw new NeedDocuments([{ path: '/top' }])
      },
    }
    const answers: Record<string, () => Response> = { '/top': () => new Response('{}') }
    for (let i = 0; i < 20; i++) answers[`/doc${i}`] = () => new Response('{}')
    const [stopped, looped] = await runItems([endless, again], fetcherOf(answers).fetcher)
    expect(stopped!.errors).toEqual([expect.stringMatching(new RegExp(`^still needs more documents after ${MAX_RESOLVE_ROUNDS} rounds`))])
    expect(stopped!.indexes).toHaveLength(MAX_RESOLVE_ROUNDS)
    expect(looped!.errors).toEqual(['resolve asked again for documents it was given (a bug in the lockfile reader)'])
  })

  it('passes any other error of a resolve on as the reason', async () => {
    const item: LockedItem = {
      ...chainItem('x'),
      resolve: () => {
        throw new Error('x=1.0:amd64 is not in fixture stable (main)')
      },
    }
    const [outcome] = await runItems([item], fetcherOf({ '/top': () => new Response('{}') }).fetcher)
    expect(outcome!.errors).toEqual(['x=1.0:amd64 is not in fixture stable (main)'])
  })
})
