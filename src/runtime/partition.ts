/**
 * Stable hash (32-bit FNV-1a over UTF-16 code units) of an actor key onto a partition.
 * Every process must agree on it, so it depends on nothing but the key and the count.
 */
export function partitionOf(key: string, partitions: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    hash ^= key.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % partitions;
}

export function mailboxName(partition: number): string {
  return `mailbox-${String(partition).padStart(3, '0')}`;
}
