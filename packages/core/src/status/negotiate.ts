/** Who gets the HTML page: a client whose Accept names text/html at least as high as application/json (a browser); scripts keep the JSON. */

/** The q of each media range in an Accept header (1 when not given). */
function qualities(accept: string): Map<string, number> {
  const ranges = new Map<string, number>()
  for (const part of accept.split(',')) {
    const [range, ...params] = part.split(';').map((s) => s.trim().toLowerCase())
    if (!range) continue
    const q = params.find((p) => p.startsWith('q='))
    const value = q ? Number(q.slice(2)) : 1
    ranges.set(range, Number.isFinite(value) ? value : 0)
  }
  return ranges
}

export function wantsHtml(accept: string | undefined): boolean {
  if (!accept) return false
  const ranges = qualities(accept)
  const html = ranges.get('text/html') ?? 0
  if (html <= 0) return false
  return html >= (ranges.get('application/json') ?? 0)
}
