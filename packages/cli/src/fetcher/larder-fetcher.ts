/** The one thing the executor needs of Larder: GET a path the way a client would, and the response as it comes. */
import type { FetchedResponse } from './fetched-response.js'

export interface LarderFetcher {
  /** Where the requests go, for the summary: a server URL or the store folder. */
  readonly target: string
  get(path: string, accept?: string): Promise<FetchedResponse>
  close(): Promise<void>
}

/** A client would send these; Larder's routes choose the document's form by Accept. */
export function requestHeaders(accept: string | undefined, token: string | undefined): Record<string, string> {
  return {
    'user-agent': 'larder-cli',
    ...(accept ? { accept } : {}),
    ...(token ? { authorization: `Bearer ${token}` } : {}),
  }
}
