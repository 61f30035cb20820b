// cluster-key-slot ships no types: the hash slot (0-16383) Redis Cluster assigns a key, honouring {hash tags}.
declare module 'cluster-key-slot' {
  export default function keySlot(key: string | Buffer): number;
}
