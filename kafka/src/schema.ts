// Messages described as data, the way the protocol specification describes them: a struct is an ordered
// list of named fields, each with a type and the versions it exists in. One encoder and one decoder walk a
// description for a given version, so a message is written once as a table and not as code, and every
// version of it round-trips through the same path.
//
// Flexible versions (KIP-482) change how the same fields are written: strings, byte arrays and arrays take
// compact (uvarint) lengths and every struct ends with a tagged-field section. A message names its first
// flexible version; the walk switches form there.
//
// A field absent from a version decodes to its default and is not written. TypeScript types come from the
// descriptions (Value<typeof SomeRequest>), so handlers and descriptions cannot drift apart.
import { ProtocolError, type Reader, type Writer } from './wire.js';

export interface Context {
  readonly version: number;
  readonly flexible: boolean;
}

export interface Type<T> {
  read(reader: Reader, context: Context): T;
  write(writer: Writer, value: T, context: Context): void;
  /** What a field of this type holds in versions it does not exist in. */
  readonly empty: T;
  /** A value of the type as `version` can carry it (round-trip tests): fields the version lacks at their fallback. */
  sample(random: () => number, context: Context): T;
  /** `value` as `version` carries it: what decode(encode(value)) gives. */
  project(value: T, context: Context): T;
}

export type Value<D> = D extends Type<infer T> ? T : never;

const identity = <T>(value: T) => value;

const type = <T>(
  empty: T,
  read: Type<T>['read'],
  write: Type<T>['write'],
  sample: Type<T>['sample'],
  project: Type<T>['project'] = identity,
): Type<T> => ({ empty, read, write, sample, project });

const integer = (bits: number) => (random: () => number) => Math.floor((random() - 0.5) * 2 ** (bits - 1));
const text = (random: () => number) => ['', 'a', 'topic-1', 'héllo ✓', 'x'.repeat(200)][Math.floor(random() * 5)]!;
const blob = (random: () => number) => Buffer.from(text(random) + String(Math.floor(random() * 1000)));

export const int8 = type(0, (r) => r.int8(), (w, v) => void w.int8(v), integer(8));
export const int16 = type(0, (r) => r.int16(), (w, v) => void w.int16(v), integer(16));
export const int32 = type(0, (r) => r.int32(), (w, v) => void w.int32(v), integer(32));
export const int64 = type(0, (r) => r.int64(), (w, v) => void w.int64(v), integer(53));
export const bool = type(false, (r) => r.bool(), (w, v) => void w.bool(v), (random) => random() < 0.5);
export const uuid = type(
  '00000000-0000-0000-0000-000000000000',
  (r) => r.uuid(),
  (w, v) => void w.uuid(v),
  (random) => {
    const hex = Array.from({ length: 32 }, () => Math.floor(random() * 16).toString(16)).join('');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  },
);

export const nullableString = type<string | null>(
  null,
  (r, c) => (c.flexible ? r.compactNullableString() : r.nullableString()),
  (w, v, c) => void (c.flexible ? w.compactNullableString(v) : w.nullableString(v)),
  (random) => (random() < 0.2 ? null : text(random)),
);

export const string = type<string>(
  '',
  (r, c) => {
    const value = nullableString.read(r, c);
    if (value === null) throw new ProtocolError('null where the protocol requires a string');
    return value;
  },
  (w, v, c) => nullableString.write(w, v, c),
  text,
);

export const nullableBytes = type<Buffer | null>(
  null,
  (r, c) => (c.flexible ? r.compactNullableBytes() : r.nullableBytes()),
  (w, v, c) => void (c.flexible ? w.compactNullableBytes(v) : w.nullableBytes(v)),
  (random) => (random() < 0.2 ? null : blob(random)),
);

export const bytes = type<Buffer>(
  Buffer.alloc(0),
  (r, c) => nullableBytes.read(r, c) ?? Buffer.alloc(0),
  (w, v, c) => nullableBytes.write(w, v, c),
  blob,
);

/** A record set: raw record batches (record-batch.ts decodes them), null when there are none. */
export const records = nullableBytes;

export function nullableArray<T>(item: Type<T>): Type<T[] | null> {
  return type<T[] | null>(
    null,
    (r, c) => {
      const count = c.flexible ? r.compactArrayLength() : r.arrayLength();
      if (count === -1) return null;
      const items = new Array<T>(count);
      for (let i = 0; i < count; i++) items[i] = item.read(r, c);
      return items;
    },
    (w, v, c) => {
      if (v === null) {
        if (c.flexible) w.uvarint(0);
        else w.int32(-1);
        return;
      }
      if (c.flexible) w.uvarint(v.length + 1);
      else w.int32(v.length);
      for (const element of v) item.write(w, element, c);
    },
    (random, c) => (random() < 0.2 ? null : Array.from({ length: Math.floor(random() * 4) }, () => item.sample(random, c))),
    (v, c) => (v === null ? null : v.map((element) => item.project(element, c))),
  );
}

export function array<T>(item: Type<T>): Type<T[]> {
  const inner = nullableArray(item);
  return type<T[]>(
    [],
    (r, c) => inner.read(r, c) ?? [],
    (w, v, c) => inner.write(w, v, c),
    (random, c) => inner.sample(random, c) ?? [],
    (v, c) => inner.project(v, c) ?? [],
  );
}

/** A type that is nullable only from version `from` on (earlier versions write null as the type's empty value). */
export function nullableFrom<T>(from: number, nullable: Type<T | null>, plain: Type<T>): Type<T | null> {
  return type<T | null>(
    null,
    (r, c) => (c.version >= from ? nullable.read(r, c) : plain.read(r, c)),
    (w, v, c) => (c.version >= from ? nullable.write(w, v, c) : plain.write(w, v ?? plain.empty, c)),
    (random, c) => (c.version >= from ? nullable.sample(random, c) : plain.sample(random, c)),
    (v, c) => (c.version >= from ? nullable.project(v, c) : plain.project(v ?? plain.empty, c)),
  );
}

export interface Field<T> {
  readonly type: Type<T>;
  readonly from: number;
  readonly to: number;
  readonly fallback: T;
}

/** A field in versions `from` to `to` (inclusive); `fallback` is its value where it does not exist. */
export function field<T>(fieldType: Type<T>, from = 0, to = Number.POSITIVE_INFINITY, fallback: T = fieldType.empty): Field<T> {
  return { type: fieldType, from, to, fallback };
}

type Fields = Record<string, Field<any>>;
export type StructValue<F extends Fields> = { [K in keyof F]: F[K] extends Field<infer T> ? T : never };

export function struct<F extends Fields>(fields: F): Type<StructValue<F>> {
  const entries = Object.entries(fields);
  const empty = Object.fromEntries(entries.map(([name, f]) => [name, f.fallback])) as StructValue<F>;
  return type(
    empty,
    (r, c) => {
      const value: Record<string, unknown> = {};
      for (const [name, f] of entries) value[name] = inVersion(f, c) ? f.type.read(r, c) : f.fallback;
      if (c.flexible) r.skipTaggedFields();
      return value as StructValue<F>;
    },
    (w, v, c) => {
      for (const [name, f] of entries) {
        if (inVersion(f, c)) f.type.write(w, v[name] ?? f.fallback, c);
      }
      if (c.flexible) w.uvarint(0);
    },
    (random, c) => {
      const value: Record<string, unknown> = {};
      for (const [name, f] of entries) value[name] = inVersion(f, c) ? f.type.sample(random, c) : f.fallback;
      return value as StructValue<F>;
    },
    (v, c) => {
      const value: Record<string, unknown> = {};
      for (const [name, f] of entries) value[name] = inVersion(f, c) ? f.type.project(v[name] ?? f.fallback, c) : f.fallback;
      return value as StructValue<F>;
    },
  );
}

/** The protocol's most common shape: topics by name, each with a list of partitions. */
export function topicPartitions<F extends Fields>(partitionFields: F) {
  return array(struct({ name: field(string), partitions: field(array(struct(partitionFields))) }));
}

const inVersion = (f: Field<unknown>, c: Context) => c.version >= f.from && c.version <= f.to;

export interface Message<Req, Res> {
  readonly apiKey: number;
  readonly name: string;
  /** The versions this codec implements (and the broker advertises). */
  readonly minVersion: number;
  readonly maxVersion: number;
  /** First flexible version (Infinity: none among those implemented). */
  readonly flexibleFrom: number;
  readonly request: Type<Req>;
  readonly response: Type<Res>;
}

export function message<Req, Res>(spec: Message<Req, Res>): Message<Req, Res> {
  return Object.freeze(spec);
}

export type RequestOf<M> = M extends Message<infer Req, unknown> ? Req : never;
export type ResponseOf<M> = M extends Message<unknown, infer Res> ? Res : never;

export const contextFor = (m: Pick<Message<unknown, unknown>, 'flexibleFrom'>, version: number): Context => ({
  version,
  flexible: version >= m.flexibleFrom,
});
