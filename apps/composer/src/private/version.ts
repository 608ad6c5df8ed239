/** Enough of Composer's VersionParser::normalize for uploaded releases: 1.2, v1.2.3, 1.2.3-beta2, 1.0.0-RC1, 2.0.0-patch1. */
import { LarderError } from '@larder/core'

const RELEASE = /^v?(\d{1,9})(?:\.(\d{1,9}))?(?:\.(\d{1,9}))?(?:\.(\d{1,9}))?(?:[._-]?(stable|beta|b|rc|alpha|a|patch|pl|p)((?:[.-]?\d+)*))?$/i
const STABILITY: Record<string, string> = { a: 'alpha', alpha: 'alpha', b: 'beta', beta: 'beta', rc: 'RC', p: 'patch', pl: 'patch', patch: 'patch' }

export function normalizeReleaseVersion(version: unknown): string {
  const match = typeof version === 'string' ? RELEASE.exec(version.trim()) : null
  if (!match) {
    throw new LarderError('E_BAD_REQUEST', `upload refused: composer.json "version" ${JSON.stringify(version)} is not a release version`, {
      hint: 'set "version" to a release such as 1.2.0 or 1.2.0-beta1 (branches are not uploaded)',
    })
  }
  const numbers = [match[1], match[2], match[3], match[4]].map((n) => String(Number(n ?? 0))).join('.')
  const stability = match[5]?.toLowerCase()
  if (!stability || stability === 'stable') return numbers
  return `${numbers}-${STABILITY[stability]}${(match[6] ?? '').replace(/^[.-]/, '')}`
}

/** Orders normalized versions newest first (numbers, then a release after its pre-releases). */
export function compareNewestFirst(a: string, b: string): number {
  const split = (v: string) => {
    const [numbers = '', suffix = ''] = v.split('-', 2)
    return { numbers: numbers.split('.').map(Number), suffix }
  }
  const [x, y] = [split(a), split(b)]
  for (let i = 0; i < 4; i++) if (x.numbers[i] !== y.numbers[i]) return (y.numbers[i] ?? 0) - (x.numbers[i] ?? 0)
  if (x.suffix === y.suffix) return 0
  const rank = (s: string) => (s === '' ? 9 : s.startsWith('patch') ? 10 : s.startsWith('RC') ? 3 : s.startsWith('beta') ? 2 : 1)
  return rank(y.suffix) - rank(x.suffix) || y.suffix.localeCompare(x.suffix, 'en', { numeric: true })
}
