/** Under LARDER_PROTECT_READS the status pages need a token, like every other read: any valid token, of any scope. */
import type { TokenStore } from '../auth/index.js'
import { LarderError } from '../errors/index.js'

/** Basic, so a browser asks for it (the token as the password, any user name). */
export const STATUS_CHALLENGE = 'Basic realm="larder", charset="UTF-8"'

export function requireStatusReader(tokens: TokenStore, authorization: string | undefined): void {
  if (!tokens.protectReads || tokens.authenticate(authorization)) return
  throw new LarderError('E_UNAUTHORIZED', 'the status page needs a Larder token (LARDER_PROTECT_READS is on)', {
    hint: 'send Authorization: Bearer <token>, or give the token as the password when the browser asks',
    headers: { 'www-authenticate': STATUS_CHALLENGE },
  })
}
