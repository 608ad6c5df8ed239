/** A throwaway gpg key in its own GNUPGHOME: signs fixture Release files and exports the keyring clients use via signed-by. */
import { join } from 'node:path'
import { chmod } from 'node:fs/promises'
import { run } from '../process/run.js'
import { makeTempDir, type TempDir } from '../temp/temp-dir.js'

export const DEFAULT_GPG_USER_ID = 'Larder Fixture Archive <fixture@larder.invalid>'

export interface GpgKey {
  readonly gnupgHome: string
  /** Binary public keyring (what `signed-by=` points at). */
  readonly keyringPath: string
  /** The same public key, armored (a `.asc` keyring). */
  readonly armoredKeyringPath: string
  readonly fingerprint: string
  /** Writes the clearsigned `input` to `output` (InRelease). */
  clearsign(input: string, output: string): Promise<void>
  /** Writes an armored detached signature of `input` to `output` (Release.gpg). */
  detachSign(input: string, output: string): Promise<void>
  cleanup(): Promise<void>
}

async function gpg(home: TempDir, args: string[]): Promise<string> {
  const result = await run('gpg', ['--batch', '--no-tty', '--quiet', ...args], { env: { GNUPGHOME: home.path } })
  if (result.code !== 0) throw new Error(`gpg ${args.join(' ')} failed (${result.code}):\n${result.stderr}`)
  return result.stdout
}

export async function createGpgKey(userId: string = DEFAULT_GPG_USER_ID): Promise<GpgKey> {
  const home = await makeTempDir('larder-gnupg-')
  await chmod(home.path, 0o700)
  await gpg(home, ['--passphrase', '', '--quick-gen-key', userId, 'rsa3072', 'sign', 'never'])
  const colons = await gpg(home, ['--with-colons', '--list-keys', userId])
  const fingerprint = /^fpr:(?::*)([0-9A-F]{40}):/m.exec(colons)?.[1]
  if (!fingerprint) throw new Error(`gpg listed no fingerprint for ${userId}:\n${colons}`)
  const keyringPath = join(home.path, 'archive-keyring.gpg')
  await gpg(home, ['--output', keyringPath, '--export', fingerprint])
  const armoredKeyringPath = join(home.path, 'archive-keyring.asc')
  await gpg(home, ['--armor', '--output', armoredKeyringPath, '--export', fingerprint])
  const sign = (mode: string[]) => async (input: string, output: string) => {
    await gpg(home, ['--yes', '--local-user', fingerprint, '--digest-algo', 'SHA256', ...mode, '--output', output, input])
  }
  return {
    gnupgHome: home.path,
    keyringPath,
    armoredKeyringPath,
    fingerprint,
    clearsign: sign(['--clearsign']),
    detachSign: sign(['--armor', '--detach-sign']),
    cleanup: async () => {
      // gpg started an agent for this home; it would outlive the test otherwise.
      await run('gpgconf', ['--kill', 'gpg-agent'], { env: { GNUPGHOME: home.path } }).catch(() => undefined)
      await home.cleanup()
    },
  }
}

/** LARDER_APT_KEYRINGS for fixture archives: each archive name with the public key of the fixture key that signs it. */
export function aptKeyringsEnv(archives: Record<string, { keyringPath: string }>): { LARDER_APT_KEYRINGS: string } {
  return {
    LARDER_APT_KEYRINGS: Object.entries(archives)
      .map(([name, key]) => `${name}=${key.keyringPath}`)
      .join(','),
  }
}
