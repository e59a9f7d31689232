/**
 * A min-heap of the next step of each source (a cluster's next backup, its next
 * retention deletion), so finding the region's next step costs O(log n), not a look at
 * every cluster: a region of 1,000 clusters takes thousands of steps a day. A source's
 * step is replaced by pushing the new one; the old stays in the heap, marked stale by
 * its version, and is dropped when it reaches the top (or when stale ones pile up).
 */
interface Entry<T> {
  item: T;
  source: string;
  version: number;
}

export class DueQueue<T> {
  private heap: Array<Entry<T>> = [];
  private readonly live = new Map<string, number>();
  private version = 0;

  constructor(private readonly before: (a: T, b: T) => boolean) {}

  /** The source's next step from now on; undefined when it has none. */
  set(source: string, item: T | undefined): void {
    if (item === undefined) {
      this.live.delete(source);
      return;
    }
    const version = ++this.version;
    this.live.set(source, version);
    this.push({ item, source, version });
    if (this.heap.length > 2 * this.live.size + 64) this.rebuild();
  }

  /** The earliest step of all sources. */
  peek(): T | undefined {
    while (this.heap.length > 0 && this.live.get((this.heap[0] as Entry<T>).source) !== (this.heap[0] as Entry<T>).version) this.pop();
    return this.heap[0]?.item;
  }

  private less(i: number, j: number): boolean {
    return this.before((this.heap[i] as Entry<T>).item, (this.heap[j] as Entry<T>).item);
  }

  private swap(i: number, j: number): void {
    const h = this.heap;
    [h[i], h[j]] = [h[j] as Entry<T>, h[i] as Entry<T>];
  }

  private push(entry: Entry<T>): void {
    this.heap.push(entry);
    for (let i = this.heap.length - 1; i > 0; ) {
      const parent = (i - 1) >> 1;
      if (!this.less(i, parent)) break;
      this.swap(i, parent);
      i = parent;
    }
  }

  private pop(): void {
    const last = this.heap.pop() as Entry<T>;
    if (this.heap.length === 0) return;
    this.heap[0] = last;
    this.siftDown(0);
  }

  private siftDown(start: number): void {
    const n = this.heap.length;
    for (let i = start; ; ) {
      const l = 2 * i + 1;
      const r = l + 1;
      let min = i;
      if (l < n && this.less(l, min)) min = l;
      if (r < n && this.less(r, min)) min = r;
      if (min === i) return;
      this.swap(i, min);
      i = min;
    }
  }

  private rebuild(): void {
    this.heap = this.heap.filter((e) => this.live.get(e.source) === e.version);
    for (let i = (this.heap.length >> 1) - 1; i >= 0; i--) this.siftDown(i);
  }
}
