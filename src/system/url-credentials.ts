/**
 * The one place credentials in URLs are hidden from what hfsched prints:
 * errors, `config` output, log lines. A URL may carry `user:password@` (curl
 * and the proxy variables accept it, and a mistyped HF_ENDPOINT may hold
 * one); whatever echoes a URL-like value passes it through here first.
 */

/** `scheme://userinfo@`: userinfo runs to the last `@` before the path, query or fragment. */
const WITH_SCHEME = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#]*@/gi;
/** A whole value without a scheme, as curl takes a proxy: `user:password@host:port`. */
const WITHOUT_SCHEME = /^[^\s/?#:@]+:[^\s/?#]*@(?=[^\s/?#@]+$)/;

/** `text` with the user name and password of every URL in it replaced by `***`. */
export function hideUrlCredentials(text: string): string {
  return text.replace(WITH_SCHEME, '$1***@').replace(WITHOUT_SCHEME, '***@');
}
