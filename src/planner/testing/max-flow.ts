/** Edmonds-Karp max flow on an adjacency list; small graphs only (test oracle). */
export class MaxFlow {
  private readonly to: number[] = [];
  private readonly cap: number[] = [];
  private readonly adj: number[][];

  constructor(nodes: number) {
    this.adj = Array.from({ length: nodes }, () => []);
  }

  addEdge(from: number, to: number, capacity: number): void {
    if (capacity <= 0) return;
    this.adj[from]?.push(this.to.length);
    this.to.push(to);
    this.cap.push(capacity);
    this.adj[to]?.push(this.to.length);
    this.to.push(from);
    this.cap.push(0);
  }

  run(source: number, sink: number): number {
    let flow = 0;
    for (;;) {
      const viaEdge = new Array<number>(this.adj.length).fill(-1);
      const seen = new Array<boolean>(this.adj.length).fill(false);
      seen[source] = true;
      const queue = [source];
      for (let q = 0; q < queue.length && !seen[sink]; q += 1) {
        const u = queue[q] ?? 0;
        for (const e of this.adj[u] ?? []) {
          const v = this.to[e] ?? 0;
          if (!seen[v] && (this.cap[e] ?? 0) > 0) {
            seen[v] = true;
            viaEdge[v] = e;
            queue.push(v);
          }
        }
      }
      if (!seen[sink]) return flow;
      let push = Number.POSITIVE_INFINITY;
      for (let v = sink; v !== source; v = this.to[(viaEdge[v] ?? 0) ^ 1] ?? 0) {
        push = Math.min(push, this.cap[viaEdge[v] ?? 0] ?? 0);
      }
      for (let v = sink; v !== source; v = this.to[(viaEdge[v] ?? 0) ^ 1] ?? 0) {
        const e = viaEdge[v] ?? 0;
        this.cap[e] = (this.cap[e] ?? 0) - push;
        this.cap[e ^ 1] = (this.cap[e ^ 1] ?? 0) + push;
      }
      flow += push;
    }
  }
}
