/**
 * Before the first publish of a name: the upstream registry must not have it, or the private copy
 * would shadow the public package for every client (a token holder taking over `left-pad`).
 */
import { LarderError, isLarderError } from '../errors/index.js'

export interface UpstreamNameCheck {
  /** The name as the ecosystem writes it, for messages. */
  name: string
  /** The upstream URL; its origin is named in messages. */
  upstream: string
  /** The setting that lists names as private (they are never looked up). */
  setting: string
  offline: boolean
  /**
   * Asks the upstream through the app's own index code (cache and offline rules included): resolves
   * when it has the name, throws E_NOT_FOUND when it has not.
   */
  lookup(): Promise<unknown>
  /** Replaces the default hint of the 409, e.g. to mention a scope setting too. */
  hint?: string
}

/** Resolves only when the upstream said it has no such name; fails closed when it cannot be asked. */
export async function assertNotOnUpstream(check: UpstreamNameCheck): Promise<void> {
  const origin = originOf(check.upstream)
  try {
    await check.lookup()
  } catch (error) {
    if (isLarderError(error, 'E_NOT_FOUND') && !check.offline) return
    const unanswered = isLarderError(error) && (error.isUpstreamFailure || error.code === 'E_OFFLINE_MISS' || error.code === 'E_NOT_FOUND')
    if (!unanswered) throw error
    // Offline, even a remembered 404 is old news: the name may have been registered upstream since.
    const why = check.offline ? 'Larder is offline (LARDER_OFFLINE)' : error.message
    throw new LarderError(
      'E_NAME_CHECK_UNAVAILABLE',
      `${check.name} cannot be checked against the upstream registry ${origin} (${why}); Larder publishes a new name only once the upstream says it has no such package`,
      {
        cause: error,
        hint: `retry when the upstream answers, or list the name in ${check.setting} to publish it without asking the upstream`,
      },
    )
  }
  throw new LarderError(
    'E_CONFLICT',
    `${check.name} exists on the upstream registry ${origin}; publishing it here would shadow it for every client. List it in ${check.setting} to publish it anyway`,
    {
      hint: check.hint ?? `choose another name; list it in ${check.setting} only if this Larder is meant to own the name`,
    },
  )
}

function originOf(upstream: string): string {
  try {
    return new URL(upstream).origin
  } catch {
    return upstream
  }
}
