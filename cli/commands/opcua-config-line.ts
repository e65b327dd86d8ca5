/** A `subscribe:` item as one ready-to-paste YAML line (browse --config and probe print the same form). */
export function subscribeConfigLine(name: string, node: string, kind?: string): string {
  return `  - { name: ${name}, node: ${JSON.stringify(node)}${kind === undefined ? '' : `, type: ${kind}`} }`;
}
