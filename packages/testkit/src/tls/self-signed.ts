/** A throwaway self-signed certificate and its RSA key, made with openssl, for fixtures that need TLS or a signing key. */
import { join } from 'node:path'
import { run } from '../process/run.js'

export interface SelfSignedOptions {
  /** Where key.pem and cert.pem are written. */
  dir: string
  /** The subject, e.g. '/CN=127.0.0.1'. */
  subject: string
  /** subjectAltName, e.g. 'IP:127.0.0.1' (for servers a client checks). */
  altName?: string
  /** File name stem: `<stem>-key.pem`, `<stem>-cert.pem`. */
  stem?: string
}

export async function makeSelfSigned(options: SelfSignedOptions): Promise<{ keyPath: string; certPath: string }> {
  const stem = options.stem ?? 'self-signed'
  const keyPath = join(options.dir, `${stem}-key.pem`)
  const certPath = join(options.dir, `${stem}-cert.pem`)
  const altName = options.altName ? ['-addext', `subjectAltName=${options.altName}`] : []
  const made = await run('openssl', [
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    keyPath,
    '-out',
    certPath,
    '-days',
    '2',
    '-subj',
    options.subject,
    ...altName,
  ])
  if (made.code !== 0) throw new Error(`openssl could not make a key and certificate for ${options.subject}: ${made.stderr}`)
  return { keyPath, certPath }
}
