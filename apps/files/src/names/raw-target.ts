/**
 * Dot segments in the request line as the client sent it. The Node adapter (like any WHATWG URL parser)
 * resolves `a/../b` and `a/%2e%2e/b` before a route sees the URL; a client that sent one meant to leave the
 * directory it named, and gets 400 rather than some other file.
 */
import { LarderError } from '@larder/core'
import { PATH_RULES } from './path-segments.js'

/** `target` is IncomingMessage.url: origin-form (`/files/a/../b?x`) or absolute-form (`http://h/files/...`). */
export function checkRawTarget(target: string | undefined): void {
  if (!target) return
  const path = target.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/]*/i, '').split(/[?#]/)[0] ?? ''
  // WHATWG URLs read '\' as '/' in http(s) paths: a backslash sent would become a directory boundary.
  if (path.includes('\\')) throw new LarderError('E_INVALID_NAME', 'the request path has a backslash', { hint: PATH_RULES })
  for (const segment of path.split('/')) {
    const dots = segment.replace(/%2e/gi, '.')
    if (dots === '.' || dots === '..') {
      throw new LarderError('E_INVALID_NAME', `the request path has a '${dots}' segment (as sent: "${segment}")`, { hint: PATH_RULES })
    }
  }
}
