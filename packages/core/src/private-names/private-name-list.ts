/** Names an operator declares private (LARDER_<ECO>_PRIVATE_NAMES): exact names and `prefix*` patterns, never taken from upstream. */
import { LarderError } from '../errors/index.js'

export interface PrivateNameSyntax {
  /** The setting the list comes from, named in every error about it. */
  setting: string
  /** What an item must look like, for the error, e.g. 'a project name like acme-tools, or a prefix like acme-*'. */
  expected: string
  /**
   * The canonical form of an item (of the part before `*` for a prefix), as the app writes names in
   * cache keys; undefined when the item is not valid. Without prefix support, answer undefined for them.
   */
  canonical(item: string, isPrefix: boolean): string | undefined
}

export class PrivateNameList {
  private constructor(
    /** The setting the list comes from, for messages that tell how to publish a name. */
    readonly setting: string,
    private readonly exact: ReadonlySet<string>,
    private readonly prefixes: readonly string[],
  ) {}

  /** Parses a comma-separated list eagerly, so a typo stops the start with a message naming the setting. */
  static parse(text: string | undefined, syntax: PrivateNameSyntax): PrivateNameList {
    const exact = new Set<string>()
    const prefixes: string[] = []
    for (const item of (text ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)) {
      const isPrefix = item.endsWith('*')
      const body = isPrefix ? item.slice(0, -1) : item
      const canonical = body.includes('*') || body === '' ? undefined : syntax.canonical(body, isPrefix)
      if (canonical === undefined) {
        throw new LarderError('E_INVALID_OPTION', `${syntax.setting}: "${item.slice(0, 80)}" is not ${syntax.expected}`)
      }
      if (isPrefix) prefixes.push(canonical)
      else exact.add(canonical)
    }
    return new PrivateNameList(syntax.setting, exact, prefixes)
  }

  /** `name` in the app's canonical form. */
  has(name: string): boolean {
    return this.exact.has(name) || this.prefixes.some((prefix) => name.startsWith(prefix))
  }
}
