/** Keys of secrets kept in the store (replicas share them through it): never exported, never listed to clients. */
export const SECRETS_NAMESPACE = 'secret'

export function isSecretKey(key: string): boolean {
  return key.startsWith(`${SECRETS_NAMESPACE}:`)
}
