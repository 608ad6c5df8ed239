/** The status pages' URLs: the page itself at /, search and one name's entries under /-/status/. */
export const SEARCH_PATH = '/-/status/search'
export const NAME_PATH = '/-/status/name'

export const searchPath = (query: string) => `${SEARCH_PATH}?q=${encodeURIComponent(query)}`
export const namePath = (ecosystem: string, name: string) => `${NAME_PATH}?ecosystem=${encodeURIComponent(ecosystem)}&name=${encodeURIComponent(name)}`
