/** Bearer tokens per upstream and scope, kept until shortly before they expire, so each pull does not cost a token request. */
import { LRUCache } from 'lru-cache'

/** Registries give tokens without expires_in 60 s of life (the distribution token spec's default). */
export const DEFAULT_TOKEN_LIFETIME_S = 60
/** A token used right at its end could expire between our check and the upstream's: drop it this early. */
const EXPIRY_MARGIN_MS = 5_000
const MAX_TOKENS = 2_000

export class TokenCache {
  private readonly tokens = new LRUCache<string, { token: string; expiresAt: number }>({ max: MAX_TOKENS })

  constructor(private readonly now: () => number = Date.now) {}

  get(upstream: string, scope: string): string | undefined {
    const key = `${upstream} ${scope}`
    const found = this.tokens.get(key)
    if (!found) return undefined
    if (found.expiresAt <= this.now()) {
      this.tokens.delete(key)
      return undefined
    }
    return found.token
  }

  /** `lifetimeS` is the token's expires_in; a token too short-lived to be worth keeping is not kept. */
  set(upstream: string, scope: string, token: string, lifetimeS: number): void {
    const expiresAt = this.now() + lifetimeS * 1000 - EXPIRY_MARGIN_MS
    if (expiresAt > this.now()) this.tokens.set(`${upstream} ${scope}`, { token, expiresAt })
  }

  /** The upstream refused the token after all (revoked, or its clock differs): forget it. */
  drop(upstream: string, scope: string): void {
    this.tokens.delete(`${upstream} ${scope}`)
  }
}
