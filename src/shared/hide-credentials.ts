/**
 * A connection URL as a message may show it: the user and password before the host
 * (`redis://user:password@host`) and a `password=` query parameter become `***`.
 */
export function hideCredentials(url: string): string {
  return url.replace(/\/\/[^/@]*@/, '//***@').replace(/(password=)[^&#\s]*/gi, '$1***');
}
