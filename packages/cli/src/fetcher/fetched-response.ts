/**
 * What the executor reads of an answer: status, headers and a body to stream, whichever way it came (an
 * undici request over HTTP, or a WHATWG Response from a mirror in this process).
 */
import type { Dispatcher } from 'undici'

export interface FetchedResponse {
  status: number
  /** The reason phrase where there is one (HTTP/1.1), else empty. */
  statusText: string
  header(name: string): string | undefined
  /** The body as it streams: read it once, or call discard(). */
  body: AsyncIterable<Uint8Array>
  bytes(): Promise<Buffer>
  text(): Promise<string>
  /** Lets the body go unread. */
  discard(): Promise<void>
}

export const isOk = (response: FetchedResponse): boolean => response.status >= 200 && response.status < 300

export function fromWebResponse(response: Response): FetchedResponse {
  const body = response.body ?? new ReadableStream<Uint8Array>({ start: (controller) => controller.close() })
  return {
    status: response.status,
    statusText: response.statusText,
    header: (name) => response.headers.get(name) ?? undefined,
    body: body as unknown as AsyncIterable<Uint8Array>,
    bytes: async () => Buffer.from(await response.arrayBuffer()),
    text: () => response.text(),
    discard: () => body.cancel(),
  }
}

export function fromUndiciResponse(response: Dispatcher.ResponseData): FetchedResponse {
  return {
    status: response.statusCode,
    statusText: response.statusText ?? '',
    header: (name) => {
      const value = response.headers[name.toLowerCase()]
      return Array.isArray(value) ? value.join(', ') : value
    },
    body: response.body,
    bytes: async () => Buffer.from(await response.body.arrayBuffer()),
    text: () => response.body.text(),
    // Dumps a small rest to keep the connection; a large one is cut off.
    discard: () => response.body.dump(),
  }
}
