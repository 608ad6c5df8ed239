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
 * builds no tree, so pypi.org's root page (~600k anchors) costs its anchors and nothing more, and
 * can be fed as it is read (`write` per chunk) instead of holding the event loop for the whole page;
 * markup inside comments, scripts and attribute values is never taken for a link.
 */
export class HtmlIndexScanner {
  private readonly head: HtmlIndexHead = { baseHref: undefined, repositoryVersion: undefined }
  private open: { attributes: Record<string, string>; text: string } | undefined
  private readonly parser: Parser

  constructor(private readonly onAnchor: (anchor: HtmlAnchor) => void) {
    const head = this.head
    this.parser = new Parser(
      {
        onopentag: (name, attributes) => {
          if (name === 'a') {
            // An <a> inside an open one closes it first (htmlparser2 reports that close too).
            this.close()
            this.open = { attributes, text: '' }
          } else if (name === 'base' && head.baseHref === undefined && Object.hasOwn(attributes, 'href')) {
            head.baseHref = attributes.href
          } else if (name === 'meta' && head.repositoryVersion === undefined && attributes.name?.toLowerCase() === 'pypi:repository-version') {
            head.repositoryVersion = attributes.content?.trim()
          }
        },
        ontext: (text) => {
          if (this.open) this.open.text += text
        },
        onclosetag: (name) => {
          if (name === 'a') this.close()
        },
      },
      { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true },
    )
  }

  write(html: string): void {
    this.parser.write(html)
  }

  end(): HtmlIndexHead {
    this.parser.end()
    // An anchor still open at the end of the page is a link all the same, as a browser sees it.
    this.close()
    return this.head
  }

  private close(): void {
    if (this.open) this.onAnchor({ attributes: this.open.attributes, text: this.open.text.trim() })
    this.open = undefined
  }
}

/** A whole page at once (project pages are small). */
export function scanHtmlIndex(html: string, onAnchor: (anchor: HtmlAnchor) => void): HtmlIndexHead {
  const scanner = new HtmlIndexScanner(onAnchor)
  scanner.write(html)
  return scanner.end()
}
