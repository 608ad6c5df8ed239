/** LARDER_OCI_IMMUTABLE_TAGS: a regular expression; hosted tags it matches as a whole never move once pushed. */
import { LarderError } from '@larder/core'

/** Tags are at most 128 characters, so even a careless pattern stays cheap to run. */
const MAX_PATTERN_LENGTH = 1024

/** The test for one tag; undefined when no tag is immutable (the variable unset or blank). */
export type ImmutableTags = ((tag: string) => boolean) | undefined

export function parseImmutableTags(variable: string, text: string | undefined): ImmutableTags {
  const source = text?.trim()
  if (!source) return undefined
  if (source.length > MAX_PATTERN_LENGTH) throw new LarderError('E_INVALID_OPTION', `${variable} is over ${MAX_PATTERN_LENGTH} characters`)
  let pattern: RegExp
  try {
    // Anchored, so "v\d+" cannot match inside "dev1-hotfix": the pattern describes whole tags.
    pattern = new RegExp(`^(?:${source})$`, 'u')
  } catch (cause) {
    throw new LarderError('E_INVALID_OPTION', `${variable} is not a regular expression: ${(cause as Error).message}`, {
      cause,
      hint: String.raw`e.g. v?\d+\.\d+\.\d+ makes release tags immutable; it must match a whole tag`,
    })
  }
  return (tag) => pattern.test(tag)
}
