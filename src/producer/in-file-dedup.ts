/**
 * Remembers every phone seen so far in the file, and the row it first appeared on. This is the
 * one structure of the producer that grows with the file, so it is kept small: French mobiles,
 * the only phones that pass validation, key by their 9-digit national number, which fits in 30
 * bits. An open-addressing table of two Int32Arrays holds a phone in 8 bytes a slot, 11–21 bytes
 * with the free slots, against ~50 for a Map of numbers (bench: memory growth per unique phone).
 */
export class InFileDedup {
  #phones = new Int32Array(INITIAL_SLOTS);
  #rows = new Int32Array(INITIAL_SLOTS);
  #count = 0;
  /** 32 minus the table's size in bits: the hash's top bits pick the slot. */
  #shift = 32 - INITIAL_BITS;
  /** Any other key (none passes validation today), so that the class stays correct for all. */
  readonly #others = new Map<string, number>();

  get size(): number {
    return this.#count + this.#others.size;
  }

  /** The row where this phone first appeared, or undefined (and it is remembered) if new. */
  firstRowOf(phoneKey: string, row: number): number | undefined {
    const national = FRENCH_MOBILE_KEY.test(phoneKey) ? Number(phoneKey.slice(3)) : 0;
    if (national === 0) {
      const first = this.#others.get(phoneKey);
      if (first === undefined) {
        this.#others.set(phoneKey, row);
      }
      return first;
    }

    const slot = this.#find(national);
    if (this.#phones[slot] === national) {
      return this.#rows[slot];
    }

    this.#phones[slot] = national;
    this.#rows[slot] = row;
    this.#count += 1;
    // Grown at 3/4 full: probes stay short, and the table at most doubles what it holds.
    if (this.#count * 4 > this.#phones.length * 3) {
      this.#grow();
    }
    return undefined;
  }

  /** The slot holding `national`, or the free slot where it belongs. */
  #find(national: number): number {
    const mask = this.#phones.length - 1;
    let slot = Math.imul(national, GOLDEN) >>> this.#shift;
    for (;;) {
      const held = this.#phones[slot];
      if (held === 0 || held === national) {
        return slot;
      }
      slot = (slot + 1) & mask;
    }
  }

  #grow(): void {
    const phones = this.#phones;
    const rows = this.#rows;
    this.#phones = new Int32Array(phones.length * 2);
    this.#rows = new Int32Array(rows.length * 2);
    this.#shift -= 1;

    for (let i = 0; i < phones.length; i++) {
      const national = phones[i] as number;
      if (national !== 0) {
        const slot = this.#find(national);
        this.#phones[slot] = national;
        this.#rows[slot] = rows[i] as number;
      }
    }
  }
}

const INITIAL_BITS = 14;
const INITIAL_SLOTS = 1 << INITIAL_BITS;

/** Knuth's multiplicative hash, whose top bits spread even regular numbers over the table. */
const GOLDEN = 0x9e3779b1;

/** `+33` and 9 digits, not starting with 0: a national number that cannot be the free mark. */
const FRENCH_MOBILE_KEY = /^\+33[1-9]\d{8}$/;
