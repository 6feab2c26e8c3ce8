/**
 * Writing values into an HAProxy configuration safely. The parser splits lines into words the way
 * a shell does (section 2.2 of HAProxy's configuration manual): a value with a space, a quote, a
 * `#` or a `$` must be quoted and escaped, or it silently becomes two words, a comment or an
 * environment variable.
 */

/** A weakly quoted word ("…"): `\`, `"` and `$` escaped, control characters as \xNN. */
export function quoted(value: string): string {
  const escaped = value.replace(/[\\"$]/g, "\\$&").replace(/[\x00-\x1f\x7f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`);
  return `"${escaped}"`;
}

/** A quoted log-format word (header values of `hdr`, `lf-string`): `%` starts a tag there, so it is doubled. */
export function quotedLogFormat(value: string): string {
  return quoted(value.replace(/%/g, "%%"));
}

/**
 * A Host header value as the allowlist compares it: a DNS name, an IPv4 address or a bracketed
 * IPv6 address, with an optional port. Anything else (spaces, quotes, paths) is refused rather
 * than quoted: a host that needs quoting is a mistake in the caller's flags.
 */
const HOST_VALUE = /^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*|\[[0-9a-f:.]+\])(?::\d{1,5})?$/i;

export function checkedHostValue(host: string): string {
  if (!HOST_VALUE.test(host)) {
    throw new Error(`"${host}" is not a Host header value; allowed hosts look like "192.168.1.20:3000", "news.local" or "[::1]:3000"`);
  }
  return host.toLowerCase();
}
