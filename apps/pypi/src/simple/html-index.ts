/** Walks a simple-index HTML page once with htmlparser2, keeping what PEP 503/629 pages carry: anchors, the first `<base href>`, the repository version. */
import { Parser } from 'htmlparser2'

export interface HtmlAnchor {
  /** Attribute names lowercased, values entity-decoded; of a repeated attribute the first wins, as in browsers. */
  attributes: Readonly<Record<string, string>>
  /** The anchor's text with tags inside it dropped and entities decoded, trimmed. */
  text: string
}

export interface HtmlIndexHead {
  /** The href of the first `<base>` that has one (it applies to every link, wherever it stands). */
  baseHref: string | undefined
  /** PEP 629 `<meta name="pypi:repository-version" content="1.1">`. */
  repositoryVersion: string | undefined
}

/**
 * Calls `onAnchor` for every `<a>` in document order. htmlparser2 is a streaming tokenizer that
 * builds no tree, so pypi.org's root page (~600k anchors) costs its anchors and nothing more;
 * markup inside comments, scripts and attribute values is never taken for a link.
 */
export function scanHtmlIndex(html: string, onAnchor: (anchor: HtmlAnchor) => void): HtmlIndexHead {
  const head: HtmlIndexHead = { baseHref: undefined, repositoryVersion: undefined }
  let open: { attributes: Record<string, string>; text: string } | undefined
  const close = () => {
    if (open) onAnchor({ attributes: open.attributes, text: open.text.trim() })
    open = undefined
  }
  const parser = new Parser(
    {
      onopentag(name, attributes) {
        if (name === 'a') {
          // An <a> inside an open one closes it first (htmlparser2 reports that close too).
          close()
          open = { attributes, text: '' }
        } else if (name === 'base' && head.baseHref === undefined && Object.hasOwn(attributes, 'href')) {
          head.baseHref = attributes.href
        } else if (name === 'meta' && head.repositoryVersion === undefined && attributes.name?.toLowerCase() === 'pypi:repository-version') {
          head.repositoryVersion = attributes.content?.trim()
        }
      },
      ontext(text) {
        if (open) open.text += text
      },
      onclosetag(name) {
        if (name === 'a') close()
      },
    },
    { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true },
  )
  parser.end(html)
  // An anchor still open at the end of the page is a link all the same, as a browser sees it.
  close()
  return head
}
