/**
 * The tags of a repository: the upstream's answer when it gives one (kept for later), else the last answer kept,
 * else the tags Larder has cached manifests for, so `skopeo list-tags` works offline too.
 */
import { LarderError, readAll, toLarderError, type CacheResult, type LarderServices } from '@larder/core'
import { OciError } from '../errors/oci-error.js'
import { tagListKey, tagPrefix } from '../keys/oci-keys.js'
import { isTag } from '../names/oci-grammar.js'
import type { RegistryClient, RegistryTarget } from '../registry/registry-client.js'

const MAX_TAG_LIST_BYTES = 16 * 1024 * 1024

export interface TagPage {
  /** distribution's pagination: at most n tags, those after `last`. */
  n?: number
  last?: string
}

export interface TagList {
  tags: string[]
  /** The query of the next page when the upstream says there is one. */
  next?: TagPage
  result: CacheResult
  staleReason?: LarderError
}

export class TagLists {
  constructor(
    private readonly services: LarderServices,
    private readonly client: RegistryClient,
  ) {}

  async list(target: RegistryTarget, page: TagPage): Promise<TagList> {
    const query = pageQuery(page)
    const key = tagListKey(target.upstream, target.repo, query)
    const label = `tags of ${target.upstream}/${target.repo}`
    let failure: LarderError
    if (this.services.config.offline) {
      failure = new LarderError('E_OFFLINE_MISS', `${label}: Larder is offline`)
    } else {
      try {
        return { ...(await this.fetch(target, key, query, label)), result: 'MISS' }
      } catch (err) {
        failure = toLarderError(err)
        if (!failure.isUpstreamFailure && failure.code !== 'E_NOT_FOUND') throw failure
      }
    }
    const result: CacheResult = this.services.config.offline ? 'OFFLINE' : 'STALE'
    const kept = await this.kept(key)
    if (kept) return { tags: kept, result, staleReason: failure }
    const cached = await this.cachedTags(target)
    if (cached.length > 0) return { tags: applyPage(cached, page), result, staleReason: failure }
    if (failure.code !== 'E_OFFLINE_MISS') throw failure
    throw new OciError('NAME_UNKNOWN', 'E_OFFLINE_MISS', `${label}: nothing is cached and Larder is offline`, {
      hint: 'unset LARDER_OFFLINE to let Larder ask the upstream',
      status: 404,
    })
  }

  private async fetch(target: RegistryTarget, key: string, query: string, label: string): Promise<Omit<TagList, 'result'>> {
    const { response } = await this.client.send(target, {
      path: `/v2/${target.repo}/tags/list${query ? `?${query}` : ''}`,
      headers: { accept: 'application/json' },
    })
    if (response.status === 404) {
      response.body.resume()
      throw new OciError('NAME_UNKNOWN', 'E_NOT_FOUND', `repository ${target.upstream}/${target.repo} is not on the upstream`, { cacheResult: 'MISS' })
    }
    if (response.status !== 200) {
      response.body.resume()
      throw new LarderError('E_UPSTREAM_STATUS', `${label}: upstream answered ${response.status}`, { upstreamStatus: response.status })
    }
    const body = await readAll(response.body, MAX_TAG_LIST_BYTES, label)
    const tags = parseTags(body, label)
    const { store } = this.services
    const blob = await store.putBlob(Buffer.from(JSON.stringify(tags)))
    await store.putEntry({
      key,
      status: 'ok',
      fetchedAt: this.services.cache.options.now(),
      blob: blob.sha256,
      size: blob.size,
      contentType: 'application/json',
    })
    const next = nextPage(response.headers.link)
    return next ? { tags, next } : { tags }
  }

  private async kept(key: string): Promise<string[] | undefined> {
    const entry = await this.services.store.getEntry(key)
    const body = entry?.status === 'ok' && entry.blob ? await this.services.store.openBlob(entry.blob) : undefined
    return body ? (JSON.parse((await readAll(body)).toString('utf8')) as string[]) : undefined
  }

  private async cachedTags(target: RegistryTarget): Promise<string[]> {
    const prefix = tagPrefix(target.upstream, target.repo)
    const tags: string[] = []
    for await (const key of this.services.store.listEntries(prefix)) {
      const entry = await this.services.store.getEntry(key)
      if (entry?.status === 'ok') tags.push(key.slice(prefix.length))
    }
    return tags.sort()
  }
}

function parseTags(body: Buffer, label: string): string[] {
  let document: unknown
  try {
    document = JSON.parse(body.toString('utf8'))
  } catch (cause) {
    throw new LarderError('E_UPSTREAM_GARBAGE', `${label}: the upstream sent no JSON`, { cause })
  }
  const tags = (document as { tags?: unknown } | null)?.tags ?? []
  if (!Array.isArray(tags) || !tags.every((tag) => typeof tag === 'string' && isTag(tag))) {
    throw new LarderError('E_UPSTREAM_GARBAGE', `${label}: the upstream's tags are not a list of tags`)
  }
  return tags as string[]
}

export function pageQuery(page: TagPage): string {
  const query = new URLSearchParams()
  if (page.n !== undefined) query.set('n', String(page.n))
  if (page.last !== undefined) query.set('last', page.last)
  return query.toString()
}

function applyPage(tags: string[], page: TagPage): string[] {
  const after = page.last === undefined ? tags : tags.filter((tag) => tag > page.last!)
  return page.n === undefined ? after : after.slice(0, page.n)
}

/** The next page from the upstream's `Link: </v2/...?n=..&last=..>; rel="next"`; its own path is not passed on. */
function nextPage(link: string | undefined): TagPage | undefined {
  const match = link && /<([^>]*)>\s*;\s*rel="?next"?/.exec(link)
  if (!match) return undefined
  const query = new URL(match[1]!, 'http://upstream.invalid').searchParams
  const n = Number(query.get('n'))
  const last = query.get('last') ?? undefined
  const page: TagPage = {}
  if (Number.isSafeInteger(n) && n > 0) page.n = n
  if (last !== undefined && isTag(last)) page.last = last
  return page.last !== undefined ? page : undefined
}
