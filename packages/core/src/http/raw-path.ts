/** The request path after an app's prefix, still percent-encoded, for protocol parsers that decode and validate each segment once. */

/** e.g. rawPathAfter('http://h/npm/@s%2fn?x=1', '/npm') === '/@s%2fn'. */
export function rawPathAfter(url: string, prefix: string): string {
  const afterOrigin = url.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/]*/i, '')
  const path = afterOrigin.split(/[?#]/)[0] ?? ''
  return path.startsWith(prefix) ? path.slice(prefix.length) : path
}
