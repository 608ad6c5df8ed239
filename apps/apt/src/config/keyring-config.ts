/** Which keyring checks each mirrored archive's Release signature (LARDER_APT_KEYRINGS), and which archives go unchecked (LARDER_APT_INSECURE_NO_VERIFY). */
import { accessSync, constants } from 'node:fs'
import { LarderError } from '@larder/core'

/** Debian's keyring (package debian-archive-keyring, on every Debian machine): what apt trusts for Debian's own archives. */
export const DEBIAN_ARCHIVE_KEYRING = '/usr/share/keyrings/debian-archive-keyring.gpg'
/** Keyrings for the default archive names (those of the default LARDER_APT_UPSTREAMS). */
export const DEFAULT_KEYRINGS: Readonly<Record<string, string>> = { debian: DEBIAN_ARCHIVE_KEYRING, 'debian-security': DEBIAN_ARCHIVE_KEYRING }

export interface KeyringConfig {
  /** Archive name -> OpenPGP public keyring file (binary or armored) its InRelease must be signed by. */
  keyrings: Record<string, string>
  /** Archives mirrored without a signature check. */
  insecureNoVerify: string[]
}

/**
 * Every archive of `upstreams` gets a keyring (configured, or the default for its name) or is listed as
 * insecure; anything else refuses the start with a message naming the variable to set.
 */
export function loadKeyringConfig(env: Record<string, string | undefined>, upstreams: Record<string, string>): KeyringConfig {
  const configured = parseNamedPaths('LARDER_APT_KEYRINGS', env.LARDER_APT_KEYRINGS)
  const insecureNoVerify = (env.LARDER_APT_INSECURE_NO_VERIFY ?? '')
    .split(',')
    .map((n) => n.trim())
    .filter(Boolean)
  for (const [variable, names] of [
    ['LARDER_APT_KEYRINGS', Object.keys(configured)],
    ['LARDER_APT_INSECURE_NO_VERIFY', insecureNoVerify],
  ] as const) {
    const unknown = names.filter((name) => !Object.hasOwn(upstreams, name))
    // A misspelt name would leave the archive it meant without its keyring.
    if (unknown.length)
      throw new LarderError('E_INVALID_OPTION', `${variable} names ${unknown.map((n) => `"${n}"`).join(', ')}, not an archive of LARDER_APT_UPSTREAMS`, {
        hint: `archives: ${Object.keys(upstreams).join(', ')}`,
      })
  }
  const both = insecureNoVerify.filter((name) => Object.hasOwn(configured, name))
  if (both.length)
    throw new LarderError('E_INVALID_OPTION', `${both.join(', ')}: both in LARDER_APT_KEYRINGS and in LARDER_APT_INSECURE_NO_VERIFY`, {
      hint: 'keep the keyring: Larder then checks the signatures',
    })
  for (const [name, path] of Object.entries(configured)) {
    try {
      accessSync(path, constants.R_OK)
    } catch (err) {
      throw new LarderError(
        'E_INVALID_OPTION',
        `LARDER_APT_KEYRINGS: the keyring of "${name}", ${path}, cannot be read (${(err as NodeJS.ErrnoException).code})`,
      )
    }
  }
  const keyrings: Record<string, string> = {}
  const missing: string[] = []
  for (const name of Object.keys(upstreams)) {
    if (insecureNoVerify.includes(name)) continue
    const path = configured[name] ?? (Object.hasOwn(DEFAULT_KEYRINGS, name) ? DEFAULT_KEYRINGS[name] : undefined)
    if (path) keyrings[name] = path
    else missing.push(name)
  }
  if (missing.length) {
    throw new LarderError(
      'E_INVALID_OPTION',
      `no keyring to check the Release signatures of the APT archive${missing.length > 1 ? 's' : ''} ${missing.join(', ')}: set LARDER_APT_KEYRINGS=${missing.map((n) => `${n}=/path/to/${n}-archive-keyring.gpg`).join(',')}`,
      {
        hint: `the public key the archive is signed with, binary or armored; to mirror it unchecked, LARDER_APT_INSECURE_NO_VERIFY=${missing.join(',')}`,
      },
    )
  }
  return { keyrings, insecureNoVerify }
}

/** Archives whose default keyring (not one named in LARDER_APT_KEYRINGS) is not on this machine: worth a warning at start. */
export function missingDefaultKeyrings(config: KeyringConfig): string[] {
  return Object.entries(config.keyrings)
    .filter(([name, path]) => DEFAULT_KEYRINGS[name] === path && !readable(path))
    .map(([name]) => name)
}

function readable(path: string): boolean {
  try {
    accessSync(path, constants.R_OK)
    return true
  } catch {
    return false
  }
}

function parseNamedPaths(variable: string, value: string | undefined): Record<string, string> {
  const named: Record<string, string> = {}
  for (const item of (value ?? '')
    .split(',')
    .map((i) => i.trim())
    .filter(Boolean)) {
    const at = item.indexOf('=')
    const name = item.slice(0, at).trim()
    const path = item.slice(at + 1).trim()
    if (at <= 0 || !path) throw new LarderError('E_INVALID_OPTION', `${variable}: "${item}" is not name=/path/to/keyring.gpg`)
    if (Object.hasOwn(named, name)) throw new LarderError('E_INVALID_OPTION', `${variable} names "${name}" twice`)
    named[name] = path
  }
  return named
}
