/** Where a project page comes from: the private index first (never upstream then), else the upstream through the index cache. */
import { LarderError, readAll, type CacheResult, type LarderServices } from '@larder/core'
import type { PrivateIndex } from '../private/private-index.js'
import type { ProjectPage } from './project-page.js'
import { UPSTREAM_ACCEPT, processUpstreamPage } from './upstream-page.js'

export const UPSTREAM_PAGE_PREFIX = 'pypi:simple:'

export interface PageHandle {
  page: ProjectPage
  result: CacheResult
  private: boolean
  staleReason?: LarderError
}

export class PageSource {
  constructor(
    private readonly services: LarderServices,
    private readonly privateIndex: PrivateIndex,
    /** LARDER_PYPI_UPSTREAM. */
    private readonly upstream: string,
  ) {}

  /** The upstream URL of a project page: `${LARDER_PYPI_UPSTREAM}/<name>/`. */
  pageUrl(project: string): string {
    return `${this.upstream}/${project}/`
  }

  async get(project: string, options: { forceRefresh?: boolean } = {}): Promise<PageHandle> {
    const own = await this.privateIndex.page(project)
    if (own) return { page: own, result: 'PRIVATE', private: true }
    if (await this.privateIndex.owns(project)) {
      throw new LarderError('E_NOT_FOUND', `${project} is a private project (LARDER_PYPI_PRIVATE_NAMES) and has nothing uploaded`, {
        hint: 'private projects are never taken from upstream; upload it to Larder',
      })
    }
    return this.mirrored(project, options)
  }

  /** The upstream's page, for callers that have already found the project is not private. */
  async mirrored(project: string, options: { forceRefresh?: boolean } = {}): Promise<PageHandle> {
    const url = this.pageUrl(project)
    const response = await this.services.cache.index({
      key: UPSTREAM_PAGE_PREFIX + project,
      url,
      headers: { accept: UPSTREAM_ACCEPT },
      forceRefresh: options.forceRefresh,
      label: `simple page of ${project}`,
      process: (body, previous) => processUpstreamPage(project, url, body, previous),
    })
    const stream = await this.services.cache.openEntry(response.entry)
    if (!stream) throw new LarderError('E_STORE', `stored page of ${project} lost its body`)
    const page = JSON.parse((await readAll(stream)).toString('utf8')) as ProjectPage
    return { page, result: response.result, private: false, staleReason: response.staleReason }
  }
}
