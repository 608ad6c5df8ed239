/** npm commands Larder does not take (owner add/rm, access, stars): a refusal that says so, instead of a bare 404. */
import { LarderError } from '@larder/core'

const ACCESS_HINT = 'who may publish is set by LARDER_TOKENS: every token with the npm scope may publish every private package'

/** The error for a /-/ endpoint of an unsupported command, or undefined when the endpoint is not one. */
export function unsupportedEndpoint(method: string, segments: string[]): LarderError | undefined {
  const isRead = method === 'GET' || method === 'HEAD'
  // npm owner add/rm first looks the new owner up; refusing there stops it before it changes anything.
  if (segments[0] === 'user' && segments.length === 2 && segments[1]!.startsWith('org.couchdb.user:') && isRead) {
    return new LarderError('E_METHOD_NOT_ALLOWED', 'npm owner add/rm is not supported by Larder: who may publish is set by LARDER_TOKENS', {
      hint: ACCESS_HINT,
    })
  }
  const isAccess =
    (segments[0] === 'package' && ['collaborators', 'visibility', 'access'].includes(segments.at(-1)!)) ||
    segments[0] === 'org' ||
    segments[0] === 'team' ||
    (segments[0] === 'user' && segments.at(-1) === 'package')
  if (isAccess) {
    // Reads stay 404: npm publish --provenance asks for visibility and takes only a 404 as "unknown".
    return new LarderError(isRead ? 'E_NOT_FOUND' : 'E_METHOD_NOT_ALLOWED', 'npm access is not supported by Larder', { hint: ACCESS_HINT })
  }
  if (segments[0] === '_view' && segments[1] === 'starredByUser') {
    return new LarderError('E_NOT_FOUND', 'npm stars is not supported by Larder: packages cannot be starred here')
  }
  return undefined
}
