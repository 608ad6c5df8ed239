/**
 * Cold tarballs at once: a tarball asked for before its packument is cached (pnpm and yarn with a
 * lockfile ask for tarballs first) starts downloading from the registry's usual address beside the
 * packument. Its bytes stream to the client while the last is held until the packument's integrity
 * is known and matches; a guess the registry does not serve falls back to the packument's address.
 */
import { isLarderError, type ArtifactResponse, type ArtifactSource } from '@larder/core'
import { LRUCache } from 'lru-cache'

/** Keys whose guessed bytes were refused remembered at most; they are fetched the slow way from then on. */
export const MAX_REFUSED_GUESSES = 10_000
/** Answers at the guessed address that mean "not here", not "not anywhere". */
const NOT_AT_GUESS = new Set(['E_NOT_FOUND', 'E_UPSTREAM_STATUS'])

export interface TarballLocation {
  /** Where the packument says the tarball is, and its digests (reads or fetches the packument). */
  located: () => Promise<ArtifactSource>
  /** The registry's usual address for it. */
  guessedUrl: string
  /** Whether a packument is cached already: then reading it costs nothing and there is nothing to guess. */
  packumentHeld: () => Promise<boolean>
}

export class TarballGuesses {
  private readonly refused = new LRUCache<string, true>({ max: MAX_REFUSED_GUESSES })

  /** Runs `artifact` with a resolver that guesses when it may, and once more with the packument's address if the guess was not there. */
  async fetch(
    key: string,
    artifact: (resolve: () => Promise<ArtifactSource>) => Promise<ArtifactResponse>,
    location: TarballLocation,
  ): Promise<ArtifactResponse> {
    let guessed = false
    const resolve = async (): Promise<ArtifactSource> => {
      if (this.refused.has(key) || (await location.packumentHeld())) return location.located()
      guessed = true
      return this.guess(key, location)
    }
    let response: ArtifactResponse
    try {
      response = await artifact(resolve)
    } catch (err) {
      // A caller that joined another's guess did not guess itself; the first to hear of the failure marked the key.
      if (!isLarderError(err) || !NOT_AT_GUESS.has(err.code) || !(guessed || this.refused.has(key))) throw err
      this.refused.set(key, true)
      return artifact(location.located)
    }
    if (guessed) {
      // Bytes at the usual address that are not the packument's: never guessed again for this key.
      response.settled?.catch((err: unknown) => {
        if (isLarderError(err) && err.code === 'E_INTEGRITY') this.refused.set(key, true)
      })
    }
    return response
  }

  private guess(key: string, location: TarballLocation): ArtifactSource {
    const source = location.located()
    const checkedLater = source.then(
      ({ expected, meta }) => ({ expected: expected ?? {}, ...(meta ? { meta } : {}) }),
      (err: unknown) => {
        this.refused.set(key, true)
        throw err
      },
    )
    // Nobody may ever wait on it: when the guessed address fails at once, the download never starts.
    checkedLater.catch(() => {})
    return { url: location.guessedUrl, contentType: 'application/octet-stream', checkedLater }
  }
}
