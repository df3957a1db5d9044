/**
 * The one rule for text a client sends (design.md: both stores answer alike, and whatever one
 * refuses the API refuses first). PostgreSQL cannot hold NUL in text (SQLSTATE 22021) while SQLite
 * keeps it; a lone UTF-16 surrogate has no UTF-8 form, and both drivers silently store U+FFFD
 * instead. The other C0 controls and DEL, but tab, line feed and carriage return, carry nothing this
 * API uses and would reach logs and terminals as they are.
 */
export function unacceptableText(text: string): string | undefined {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) {
      if (c === 0x09 || c === 0x0a || c === 0x0d) continue;
      return c === 0 ? 'a NUL character' : 'a control character';
    }
    if (c >= 0xd800 && c <= 0xdfff) {
      const next = text.charCodeAt(i + 1);
      if (c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
        i++;
        continue;
      }
      return 'an unpaired surrogate';
    }
  }
  return undefined;
}
