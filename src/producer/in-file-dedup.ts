/**
 * Remembers every phone seen so far in the file, and the row it first appeared on. This is the
 * one structure of the producer that grows with the file.
 */
export class InFileDedup {
  // French mobiles, the only phones that pass validation, key by their 9-digit national number:
  // a small integer, which V8 stores inline in the map, unlike a string of 12 characters.
  #firstRowByPhone = new Map<number | string, number>();

  get size(): number {
    return this.#firstRowByPhone.size;
  }

  /** The row where this phone first appeared, or undefined (and it is remembered) if new. */
  firstRowOf(phoneKey: string, row: number): number | undefined {
    const key = phoneKey.startsWith('+33') ? Number(phoneKey.slice(3)) : phoneKey;
    const first = this.#firstRowByPhone.get(key);

    if (first === undefined) {
      this.#firstRowByPhone.set(key, row);
    }
    return first;
  }
}
