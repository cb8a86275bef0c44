/**
 * An attacker who knows the pooling algorithm (etl/engine/secondary.ts, documented in
 * etl/engine/README.md) and which poolings it accepted or refused. Each decision says
 * something about the units it tried: an accepted pooling has a total inside the protective
 * range, a refused one a total outside it. With a block's released total, these constraints
 * may leave a member fewer values than its a priori interval [floor, threshold − 1].
 *
 * For each block, the decisions on its units form a tree (a refused commune inside the EPT
 * that pooled it…); the values of a unit still possible are found by dynamic programming
 * over integer sums. Counts only: every masked number must be an integer.
 */
import { type PoolingDecision, protectiveRange } from '../../etl/engine/secondary.ts';

export interface AuditInput {
  threshold: number;
  /** The floor the planner used, hence known to this attacker. */
  floor: number;
  blocks: readonly { id: string; units: readonly string[]; sum: number }[];
  decisions: readonly PoolingDecision[];
}

export interface AuditFinding {
  block: string;
  unit: string;
  /** The values the unit may still take (fewer than the a priori interval). */
  possible: number[];
}

interface Node {
  units: Set<string>;
  /** Units directly under this node. */
  leaves: string[];
  children: Node[];
  /** Sums allowed by the decision this node stands for (root: the released total only). */
  allows: (sum: number) => boolean;
}

export function auditDecisions(input: AuditInput): { units: number; narrowed: AuditFinding[] } {
  const ceiling = input.threshold - 1;
  const narrowed: AuditFinding[] = [];
  let units = 0;
  for (const block of input.blocks) {
    const root: Node = { units: new Set(block.units), leaves: [], children: [], allows: (s) => s === block.sum };
    const nodes: Node[] = [root];
    const inside = input.decisions.filter((d) => d.units.some((u) => root.units.has(u)));
    for (const d of [...inside].sort((a, b) => b.units.length - a.units.length)) {
      if (!d.units.every((u) => root.units.has(u))) {
        throw new Error(`Décision ${d.level}:${d.group} à cheval sur le bloc ${block.id} : l'audit suppose des regroupements emboîtés`);
      }
      const { low, high } = protectiveRange(input.threshold, d.units.length, input.floor);
      const node: Node = {
        units: new Set(d.units),
        leaves: [],
        children: [],
        allows: d.protective ? (s) => s >= low && s <= high : (s) => s < low || s > high
      };
      smallestHolding(nodes, d.units).children.push(node);
      nodes.push(node);
    }
    for (const u of block.units) smallestHolding(nodes, [u]).leaves.push(u);

    for (const u of block.units) {
      units++;
      const possible: number[] = [];
      for (let v = input.floor; v <= ceiling; v++) {
        if (sums(root, { unit: u, value: v }, input.floor, ceiling)[block.sum]) possible.push(v);
      }
      if (possible.length < ceiling - input.floor + 1) narrowed.push({ block: block.id, unit: u, possible });
    }
  }
  return { units, narrowed };
}

/** Nodes are added largest first, so the last one holding the units is the smallest. */
function smallestHolding(nodes: readonly Node[], units: readonly string[]): Node {
  for (let i = nodes.length - 1; i >= 0; i--) if (units.every((u) => nodes[i]!.units.has(u))) return nodes[i]!;
  throw new Error('aucun nœud ne contient ces unités');
}

/** Which totals of the node are possible, with one unit fixed to a value. */
function sums(node: Node, fixed: { unit: string; value: number }, floor: number, ceiling: number): boolean[] {
  let acc: boolean[] = [true];
  for (const leaf of node.leaves) {
    const [lo, hi] = leaf === fixed.unit ? [fixed.value, fixed.value] : [floor, ceiling];
    const next = new Array<boolean>(acc.length + hi).fill(false);
    for (let s = 0; s < acc.length; s++) if (acc[s]) for (let v = lo; v <= hi; v++) next[s + v] = true;
    acc = next;
  }
  for (const child of node.children) {
    const inner = sums(child, fixed, floor, ceiling);
    const next = new Array<boolean>(acc.length + inner.length - 1).fill(false);
    for (let s = 0; s < acc.length; s++) if (acc[s]) for (let t = 0; t < inner.length; t++) if (inner[t]) next[s + t] = true;
    acc = next;
  }
  return acc.map((ok, s) => ok && node.allows(s));
}
