// Used only when the sender's address has no domain, which a configured sender never lacks.
const fallbackDomain = 'followthrough.invalid';

/** A Message-ID in the sender's domain, as RFC 5322 recommends: `<id@domain>`. */
export function messageIdFor(fromAddress: string, id: string): string {
  return `<${id}@${domainOf(fromAddress)}>`;
}

function domainOf(address: string): string {
  const at = address.lastIndexOf('@');
  return at === -1 || at === address.length - 1 ? fallbackDomain : address.slice(at + 1).toLowerCase();
}
