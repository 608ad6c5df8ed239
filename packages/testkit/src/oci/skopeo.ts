/** skopeo (Debian's, from containers/image) against plain-http registries, with its own empty auth file and the accept-anything policy. */
import { join } from 'node:path'
import { run, type RunResult } from '../process/run.js'
import { makeTempDir } from '../temp/temp-dir.js'

export const SKOPEO_BIN = '/usr/bin/skopeo'

export interface SkopeoOptions {
  timeoutMs?: number
}

/** Runs skopeo with global flags that keep it off this machine's policy and logins. */
export async function skopeo(args: readonly string[], options: SkopeoOptions = {}): Promise<RunResult> {
  const home = await makeTempDir('larder-skopeo-')
  try {
    return await run(SKOPEO_BIN, ['--insecure-policy', ...args], {
      timeoutMs: options.timeoutMs ?? 180_000,
      env: { REGISTRY_AUTH_FILE: join(home.path, 'auth.json'), HOME: home.path, XDG_RUNTIME_DIR: home.path },
    })
  } finally {
    await home.cleanup()
  }
}

/** `skopeo copy` of a layout into a registry over plain http; `creds` is user:password. */
export function pushLayout(reference: string, destination: string, creds?: string): Promise<RunResult> {
  return skopeo([
    'copy',
    '--dest-tls-verify=false',
    ...(creds ? ['--dest-creds', creds] : []),
    '--all',
    '--preserve-digests',
    reference,
    `docker://${destination}`,
  ])
}

/** Says what a skopeo run printed, for assertion messages. */
export function describeSkopeo(result: RunResult): string {
  return `skopeo exited ${result.code}\n--- stdout ---\n${result.stdout}\n--- stderr ---\n${result.stderr}`
}
