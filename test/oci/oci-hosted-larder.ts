/** The OCI app alone with a push token, for end-to-end tests of hosted images: skopeo pushes into it, and fetch drives uploads. */
import { readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { basicAuth, ociPushClient, pushLayout, skopeo, type EnvOverrides, type OciLayout, type OciPushClient, type RunResult } from '@larder/testkit'
import { startLarder } from '../support/larder-process.js'
import { OCI_ENTRY, type OciLarder } from './oci-larder.js'

export const PUSH_TOKEN = 'oci-e2e-push-token'
/** What `--dest-creds` / `podman login` take: any user name, the Larder token as password. */
export const PUSH_CREDS = `ci:${PUSH_TOKEN}`

export async function startHostedLarder(env: EnvOverrides = {}): Promise<OciLarder> {
  // No upstream is ever asked: the default ones stay configured and untouched.
  const server = await startLarder({ entry: OCI_ENTRY, env: { LARDER_TOKENS: `ci=${PUSH_TOKEN}:oci`, ...env } })
  return { ...server, host: `127.0.0.1:${server.port}` }
}

/** `skopeo copy --all --preserve-digests oci:DIR:tag docker://<larder>/<image>` with the token, or none. */
export function pushToLarder(larder: OciLarder, layout: OciLayout, image: string, creds: string | undefined = PUSH_CREDS): Promise<RunResult> {
  return pushLayout(layout.reference, `${larder.host}/${image}`, creds)
}

export function deleteFromLarder(larder: OciLarder, image: string, creds = PUSH_CREDS): Promise<RunResult> {
  return skopeo(['delete', '--tls-verify=false', '--creds', creds, `docker://${larder.host}/${image}`])
}

/** The push client over fetch, against this Larder, with the token. */
export function fetchClient(larder: OciLarder): OciPushClient {
  return ociPushClient((path, init) => fetch(`${larder.url}${path}`, init), basicAuth('ci', PUSH_TOKEN))
}

/** The files of uploads in progress, in the uploads folder the workers share (bytes only, not their records). */
export async function uploadSpoolFiles(larder: OciLarder): Promise<string[]> {
  const names = await readdir(join(larder.dataDir, 'oci-uploads')).catch(() => [] as string[])
  return names.filter((name) => /^oci-upload-[0-9a-f-]{36}$/.test(name))
}
