// The Kafka protocol's primitive types, big-endian as on the wire: fixed-width integers, unsigned varints
// (lengths in flexible versions, tagged fields), zigzag varints and varlongs (inside records), strings and
// byte arrays in their classic (int16 / int32 length) and compact (varint length + 1) forms, uuids.
//
// Every read is bounds-checked against the frame: a length that points past the end, a negative length
// other than the null marker, or a varint longer than its type fails with ProtocolError before anything is
// allocated, so a hostile frame costs at most its own size (docs/invariants.md I11).

export class ProtocolError extends Error {
  override readonly name = 'ProtocolError';
}

/** int64 values are JS numbers: offsets, timestamps and producer ids stay far below 2^53. */
const TWO_32 = 2 ** 32;

export class Reader {
  offset = 0;

  constructor(readonly buffer: Buffer) {}

  get remaining(): number {
    return this.buffer.length - this.offset;
  }

  #take(bytes: number): number {
    if (bytes < 0 || this.offset + bytes > this.buffer.length) {
      throw new ProtocolError(`needs ${bytes} bytes at ${this.offset}, frame has ${this.buffer.length}`);
    }
    const at = this.offset;
    this.offset += bytes;
    return at;
  }

  int8(): number {
    return this.buffer.readInt8(this.#take(1));
  }
  int16(): number {
    return this.buffer.readInt16BE(this.#take(2));
  }
  int32(): number {
    return this.buffer.readInt32BE(this.#take(4));
  }
  uint32(): number {
    return this.buffer.readUInt32BE(this.#take(4));
  }
  int64(): number {
    const at = this.#take(8);
    const value = this.buffer.readInt32BE(at) * TWO_32 + this.buffer.readUInt32BE(at + 4);
    if (!Number.isSafeInteger(value)) throw new ProtocolError(`int64 at ${at} is beyond 2^53`);
    return value;
  }
  bool(): boolean {
    return this.int8() !== 0;
  }

  /** Unsigned LEB128, at most 5 bytes (32 bits). */
  uvarint(): number {
    let value = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      const byte = this.buffer.readUInt8(this.#take(1));
      value += (byte & 0x7f) * 2 ** shift;
      if ((byte & 0x80) === 0) {
        if (value > 0xffffffff) break;
        return value;
      }
    }
    throw new ProtocolError(`varint at ${this.offset} is longer than 32 bits`);
  }

  /** Zigzag varint (32 bits). */
  varint(): number {
    const raw = this.uvarint();
    return raw % 2 === 0 ? raw / 2 : -(raw + 1) / 2;
  }

  /** Zigzag varlong, within the safe integer range. */
  varlong(): number {
    let raw = 0;
    for (let shift = 0; shift < 56; shift += 7) {
      const byte = this.buffer.readUInt8(this.#take(1));
      raw += (byte & 0x7f) * 2 ** shift;
      if ((byte & 0x80) === 0) {
        if (!Number.isSafeInteger(raw)) break;
        return raw % 2 === 0 ? raw / 2 : -(raw + 1) / 2;
      }
    }
    throw new ProtocolError(`varlong at ${this.offset} is beyond 2^53`);
  }

  raw(length: number): Buffer {
    const at = this.#take(length);
    return this.buffer.subarray(at, at + length);
  }

  /** int16 length, -1 for null. */
  nullableString(): string | null {
    const length = this.int16();
    if (length === -1) return null;
    return this.raw(this.#length(length)).toString('utf8');
  }
  /** uvarint length + 1, 0 for null. */
  compactNullableString(): string | null {
    const length = this.uvarint() - 1;
    if (length === -1) return null;
    return this.raw(length).toString('utf8');
  }
  /** int32 length, -1 for null. */
  nullableBytes(): Buffer | null {
    const length = this.int32();
    if (length === -1) return null;
    return this.raw(this.#length(length));
  }
  compactNullableBytes(): Buffer | null {
    const length = this.uvarint() - 1;
    if (length === -1) return null;
    return this.raw(length);
  }
  /** int32 count, -1 for null; each element takes at least one byte, so a count past the frame fails here. */
  arrayLength(): number {
    const count = this.int32();
    if (count === -1) return -1;
    return this.#count(this.#length(count));
  }
  compactArrayLength(): number {
    const count = this.uvarint() - 1;
    return count === -1 ? -1 : this.#count(count);
  }
  uuid(): string {
    const hex = this.raw(16).toString('hex');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }

  /** Tagged fields this codec does not know are skipped: that is what they are for. */
  skipTaggedFields(): void {
    const count = this.uvarint();
    for (let i = 0; i < count; i++) {
      this.uvarint();
      this.raw(this.uvarint());
    }
  }

  #length(length: number): number {
    if (length < 0) throw new ProtocolError(`negative length ${length} at ${this.offset}`);
    return length;
  }
  #count(count: number): number {
    if (count > this.remaining) throw new ProtocolError(`array of ${count} elements at ${this.offset} is longer than the frame`);
    return count;
  }
}

export class Writer {
  #buffer: Buffer;
  #length = 0;

  constructor(initialSize = 256) {
    this.#buffer = Buffer.allocUnsafe(initialSize);
  }

  get length(): number {
    return this.#length;
  }

  /** Reserves `bytes` and answers where they start; read #buffer only after calling it (it may grow). */
  #room(bytes: number): number {
    if (this.#length + bytes > this.#buffer.length) {
      const grown = Buffer.allocUnsafe(Math.max(this.#buffer.length * 2, this.#length + bytes));
      this.#buffer.copy(grown, 0, 0, this.#length);
      this.#buffer = grown;
    }
    const at = this.#length;
    this.#length += bytes;
    return at;
  }

  int8(value: number): this {
    const at = this.#room(1);
    this.#buffer.writeInt8(value, at);
    return this;
  }
  int16(value: number): this {
    const at = this.#room(2);
    this.#buffer.writeInt16BE(value, at);
    return this;
  }
  int32(value: number): this {
    const at = this.#room(4);
    this.#buffer.writeInt32BE(value, at);
    return this;
  }
  uint32(value: number): this {
    const at = this.#room(4);
    this.#buffer.writeUInt32BE(value, at);
    return this;
  }
  int64(value: number): this {
    const at = this.#room(8);
    const high = Math.floor(value / TWO_32);
    this.#buffer.writeInt32BE(high, at);
    this.#buffer.writeUInt32BE(value - high * TWO_32, at + 4);
    return this;
  }
  bool(value: boolean): this {
    return this.int8(value ? 1 : 0);
  }
  uvarint(value: number): this {
    let rest = value;
    while (rest >= 0x80) {
      const at = this.#room(1);
      this.#buffer[at] = (rest % 0x80) | 0x80;
      rest = Math.floor(rest / 0x80);
    }
    const at = this.#room(1);
    this.#buffer[at] = rest;
    return this;
  }
  /** Zigzag: 0, -1, 1, -2, ... become 0, 1, 2, 3, ... */
  varint(value: number): this {
    return this.uvarint(value >= 0 ? value * 2 : -value * 2 - 1);
  }
  varlong(value: number): this {
    return this.varint(value);
  }
  raw(bytes: Uint8Array): this {
    const at = this.#room(bytes.length);
    this.#buffer.set(bytes, at);
    return this;
  }
  nullableString(value: string | null): this {
    if (value === null) return this.int16(-1);
    const bytes = Buffer.from(value, 'utf8');
    return this.int16(bytes.length).raw(bytes);
  }
  compactNullableString(value: string | null): this {
    if (value === null) return this.uvarint(0);
    const bytes = Buffer.from(value, 'utf8');
    return this.uvarint(bytes.length + 1).raw(bytes);
  }
  nullableBytes(value: Uint8Array | null): this {
    if (value === null) return this.int32(-1);
    return this.int32(value.length).raw(value);
  }
  compactNullableBytes(value: Uint8Array | null): this {
    if (value === null) return this.uvarint(0);
    return this.uvarint(value.length + 1).raw(value);
  }
  uuid(value: string): this {
    const bytes = Buffer.from(value.replaceAll('-', ''), 'hex');
    if (bytes.length !== 16) throw new ProtocolError(`not a uuid: ${value}`);
    return this.raw(bytes);
  }
  /** Overwrites 4 bytes at `at` (a length or CRC known only once what follows is written). */
  patchInt32(at: number, value: number): this {
    this.#buffer.writeInt32BE(value, at);
    return this;
  }
  patchUint32(at: number, value: number): this {
    this.#buffer.writeUInt32BE(value, at);
    return this;
  }
  /** The bytes written so far (a view: copy it before writing more if it must outlive the writer). */
  bytes(): Buffer {
    return this.#buffer.subarray(0, this.#length);
  }
}
